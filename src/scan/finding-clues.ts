import type { Evidence } from '../core/evidence.js';
import type { Finding } from '../core/finding.js';
import { percentDecode } from '../formats/web-log/percent-decode.js';
import { REFUSED_SUFFIX } from '../analyzers/weblog/grade-by-outcome.js';

/** The analyzer a finding came from, told by its evidence (the engines are shared between analyzers). */
export type FindingSource = 'hunt' | 'sweep' | 'events' | 'inventory' | 'audit' | 'scan' | 'other';

/** One logged request of a hunt finding. */
export interface RequestClue {
  /** ms since epoch, UTC. */
  readonly time: number;
  /** The requested path, decoded and lower-case (`/uploads/x.aspx`), when the line shows it. */
  readonly path?: string;
  /** `POST /Telerik.Web.UI.WebResource.axd type=rau`: what the timeline shows (attacker text). */
  readonly request?: string;
  /** File names the request mentions (`svc.exe` in `FILEPATH=C:\ProgramData\USOShared\svc.exe`), lower-case. */
  readonly names: readonly string[];
}

/** The file a sweep finding is about. */
export interface FileClue {
  /** As reported (attacker-chosen name). */
  readonly path: string;
  /** Modification time, ms since epoch, when known. */
  readonly time?: number;
}

/** One event of an events finding that shows `w3wp.exe` at work: a child it started, or a file it wrote. */
export interface EventClue {
  readonly time: number;
  /** `cmd.exe /c whoami`, or the image when no command line was logged (attacker text). */
  readonly command: string;
  /** Lower-case base name of the file `w3wp.exe` wrote (Sysmon 11), when that is what the event says. */
  readonly wroteName?: string;
}

/** What of a finding the correlation can join on. */
export interface FindingClues {
  readonly source: FindingSource;
  /** A hunt finding on exploitation (initial access, a CVE) whose requests reached their target. */
  readonly exploit: boolean;
  /** A hunt finding on requests the server refused (401, 403, 404): attempts that did not reach their target. */
  readonly refused: boolean;
  readonly requests: readonly RequestClue[];
  readonly file?: FileClue;
  readonly events: readonly EventClue[];
  /** `cve.2019-18935` tags, lower-case. */
  readonly cves: readonly string[];
}

const SOURCES: Readonly<Record<string, FindingSource>> = {
  'log-line': 'hunt',
  file: 'sweep',
  event: 'events',
  package: 'inventory',
  config: 'audit',
  'http-exchange': 'scan',
};

const METHODS = new Set(['GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'TRACE', 'SEARCH', 'DEBUG']);

/** File names worth joining on: pages, handlers, binaries and scripts a web shell or implant comes as. */
const FILE_NAME = /[\w.-]{1,120}\.(?:aspx|ashx|asmx|asax|ascx|asp|cshtml|php|jsp|jspx|exe|dll|sys|scr|ps1|psm1|bat|cmd|vbs|vbe|js|hta|config|zip|rar|7z)(?![\w-])/gi;

/** Sysmon and Security field names, as the events analyzer writes them into its evidence text. */
const FIELD = (name: string): RegExp => new RegExp(`(?:^|\\s)${name}=(.*?)(?=\\s[A-Z][A-Za-z]+=|$)`);
const PARENT_IMAGE = FIELD('(?:ParentImage|ParentProcessName)');
const IMAGE = FIELD('(?:Image|NewProcessName)');
const COMMAND_LINE = FIELD('CommandLine');
const TARGET_FILE = FIELD('TargetFilename');
const W3WP = /(?:^|[\\/])w3wp\.exe$/i;

/** Reads the joinable facts of a finding from its evidence sample. */
export function findingClues(finding: Finding): FindingClues {
  const first = finding.evidence[0];
  const source = (first === undefined ? undefined : SOURCES[first.kind]) ?? 'other';
  const cves = finding.tags.map((t) => t.toLowerCase()).filter((t) => t.startsWith('cve.'));
  const requests: RequestClue[] = [];
  const events: EventClue[] = [];
  let file: FileClue | undefined;
  for (const evidence of finding.evidence) {
    if (evidence.kind === 'log-line') {
      const request = requestClue(evidence, finding.locationKey);
      if (request !== undefined) requests.push(request);
    } else if (evidence.kind === 'event') {
      const event = eventClue(evidence);
      if (event !== undefined) events.push(event);
    } else if (evidence.kind === 'file' && file === undefined && evidence.path !== undefined) {
      file = { path: evidence.path, ...(evidence.time === undefined ? {} : { time: evidence.time }) };
    }
  }
  const tags = new Set(finding.tags.map((t) => t.toLowerCase()));
  const refused = source === 'hunt' && finding.locationKey.endsWith(REFUSED_SUFFIX);
  const exploit = source === 'hunt' && !refused && (tags.has('attack.t1190') || tags.has('attack.initial-access') || cves.length > 0);
  return { source, exploit, refused, requests, ...(file === undefined ? {} : { file }), events, cves };
}

/**
 * The request of a log line: the path after the method, which is where IIS's W3C and HTTPERR layouts put it.
 * Lines kept without text (burst findings) name their page in the location key, if at all.
 */
function requestClue(evidence: Evidence, locationKey: string): RequestClue | undefined {
  if (evidence.time === undefined) return undefined;
  if (evidence.url !== undefined) {
    const path = urlPath(evidence.url);
    return { time: evidence.time, path, request: oneLine(evidence.url), names: fileNames(evidence.url).filter((n) => n !== baseName(path)) };
  }
  if (evidence.text === undefined) {
    const page = locationKey.startsWith('/') ? locationKey.split(' ')[0] : undefined;
    return { time: evidence.time, ...(page === undefined ? {} : { path: urlPath(page), request: oneLine(page) }), names: [] };
  }
  const tokens = evidence.text.split(' ');
  const names = fileNames(evidence.text);
  for (let i = 0; i + 1 < tokens.length; i += 1) {
    const method = tokens[i] as string;
    const stem = tokens[i + 1] as string;
    if (!METHODS.has(method.toUpperCase()) || !stem.startsWith('/')) continue;
    const query = tokens[i + 2];
    const path = urlPath(stem);
    // The page requested is not a file the request writes: only names elsewhere in the line are.
    const own = baseName(path);
    const shown = `${method} ${stem}${query === undefined || query === '-' || query.startsWith('/') || /^\d+$/.test(query) ? '' : ` ${query}`}`;
    return { time: evidence.time, path, request: oneLine(shown.length > 300 ? `${shown.slice(0, 300)}…` : shown), names: names.filter((n) => n !== own) };
  }
  return { time: evidence.time, names };
}

/** `w3wp.exe` starting a process, or writing a file; other events are not part of the stories joined here. */
function eventClue(evidence: Evidence): EventClue | undefined {
  const text = evidence.text;
  if (evidence.time === undefined || text === undefined) return undefined;
  const parent = PARENT_IMAGE.exec(text)?.[1];
  const image = IMAGE.exec(text)?.[1];
  const target = TARGET_FILE.exec(text)?.[1];
  const child = parent !== undefined && W3WP.test(parent.trim());
  const wrote = target !== undefined && image !== undefined && W3WP.test(image.trim());
  if (!child && !wrote) return undefined;
  const command = COMMAND_LINE.exec(text)?.[1] ?? (wrote ? `${image ?? 'w3wp.exe'} wrote ${target ?? ''}` : (image ?? ''));
  const wroteName = wrote ? baseName(target ?? '') : undefined;
  return { time: evidence.time, command: oneLine(command.length > 300 ? `${command.slice(0, 300)}…` : command), ...(wroteName === undefined || wroteName === '' ? {} : { wroteName }) };
}

/** The path of a URL or logged stem: query and fragment dropped, percent-decoded, either slash, lower-case. */
export function urlPath(value: string): string {
  let path = value;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(path);
  if (scheme !== null) path = path.slice(scheme[0].length) || '/';
  path = path.split(/[?#]/)[0] ?? '';
  return percentDecode(path).replace(/\\/g, '/').replace(/\/{2,}/g, '/').toLowerCase();
}

/** The last segment of a path, lower-case. */
export function baseName(path: string): string {
  return (path.replace(/\\/g, '/').split('/').pop() ?? '').toLowerCase();
}

function fileNames(text: string): string[] {
  const decoded = percentDecode(text, true);
  return [...new Set([...decoded.matchAll(FILE_NAME)].map((m) => m[0].toLowerCase()))];
}

/** Attacker text in a one-line summary: control characters (a newline in a file name) become spaces. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
}
