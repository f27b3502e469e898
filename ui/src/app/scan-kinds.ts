/** What the scans list filters by and the new-scan form offers, as the API names them. */
export const SCAN_STATES = ['queued', 'running', 'done', 'failed'] as const;
export const LISTED_KINDS = ['scan', 'host', 'verify'] as const;
export type ScanState = (typeof SCAN_STATES)[number];
export type ListedKind = (typeof LISTED_KINDS)[number];

/** The kinds a user may request: `scan` reaches base URLs from outside, `host` reads host roots on a worker. */
export const REQUESTABLE_KINDS: readonly { readonly kind: 'scan' | 'host'; readonly label: string; readonly placeholder: string }[] = [
  { kind: 'scan', label: 'scan (sites from outside)', placeholder: 'https://www.example.com/' },
  { kind: 'host', label: 'host (host roots on a worker)', placeholder: '/srv/collected/WEB01' },
];

/** Whether a scan may still change: lists showing one refresh themselves. */
export function unsettled(state: string | undefined): boolean {
  return state === 'queued' || state === 'running';
}

/** Targets as typed in a text area: one a line, blanks dropped. */
function targetLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** The kind and targets a new-scan or new-schedule form asks for, or what is missing. */
export function scanRequestOf(form: FormData): { readonly kind: 'scan' | 'host'; readonly targets: string[] } | { readonly problem: string } {
  const targets = targetLines(String(form.get('targets') ?? ''));
  if (targets.length === 0) return { problem: 'Name at least one target, one a line.' };
  return { kind: form.get('kind') === 'host' ? 'host' : 'scan', targets };
}
