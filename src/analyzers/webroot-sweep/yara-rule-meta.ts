import type { RuleMeta } from '../../core/rule-meta.js';
import { parseSeverity, type Severity } from '../../core/severity.js';
import type { YaraMatch } from '../../engines/yara/yara-engine.js';

/**
 * The metadata of a YARA rule that matched. w3guard's rules say `id` (`w3g-…`), `title` and `severity`; other
 * authors' rules are read the way Loki and THOR read them: `score` (80+ high, 60+ medium, else low),
 * `description`, `reference`; with neither, high.
 */
export function yaraRuleMeta(match: YaraMatch): RuleMeta {
  const text = (key: string): string | undefined => {
    const value = match.meta[key];
    return typeof value === 'string' && value.trim() !== '' ? value : undefined;
  };
  const id = yaraRuleId(match.rule, text('id'));
  const description = text('description') ?? `YARA rule ${match.rule} matched.`;
  const reference = text('reference');
  const tags = ['attack.t1505.003', ...match.tags.map((t) => `yara.${t.toLowerCase()}`)];
  return {
    id,
    title: text('title') ?? `YARA ${match.rule}: ${description}`.slice(0, 200),
    description,
    severity: severityOf(match),
    confidence: 'firm',
    engine: 'yara',
    category: 'webroot',
    tags,
    references: reference === undefined ? [] : [reference],
    // A web-shell rule's hit is a web shell on disk, compromise evidence; a rule meant as a hint says `w3guard_compromise = false`.
    compromise: match.meta['w3guard_compromise'] !== false && match.meta['w3guard_compromise'] !== 'false',
    remediation: 'Treat the file as a web shell or implant until proven otherwise: keep a copy for analysis, find how it was written (IIS logs around its modification time), remove it and rotate the secrets the site holds.',
  };
}

/** A YARA rule's finding rule id: its own `w3g-` id, else `yara.` and its name. */
function yaraRuleId(rule: string, metaId: string | undefined): string {
  // Only w3guard's own ids are kept: other authors use `id` for UUIDs (signature-base), which say nothing.
  return metaId !== undefined && metaId.startsWith('w3g-') ? metaId : `yara.${rule}`;
}

const RULE_HEAD = /\b(?:(?:private|global)\s+)*rule\s+([A-Za-z_]\w*)\s*(?::[^{]*)?\{/g;

/**
 * The finding rule ids of every rule declared in YARA sources that compiled, read from their text: what a
 * sweep covered, so the store can close a YARA finding a later sweep no longer makes. Comments are left out;
 * a rule the text reading misses is only never closed, which is the safe side.
 */
export function declaredYaraRuleIds(sources: readonly { readonly text: string }[]): string[] {
  const ids = new Set<string>();
  for (const source of sources) {
    const text = source.text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:"\\])\/\/[^\n]*/g, '$1');
    const heads = [...text.matchAll(RULE_HEAD)];
    heads.forEach((head, n) => {
      const name = head[1] ?? '';
      const body = text.slice((head.index ?? 0) + head[0].length, heads[n + 1]?.index ?? text.length);
      const meta = /\bmeta\s*:([\s\S]*?)(?:\bstrings\s*:|\bcondition\s*:|$)/.exec(body)?.[1] ?? '';
      ids.add(yaraRuleId(name, /(?:^|\s)id\s*=\s*"([^"]*)"/.exec(meta)?.[1]));
    });
  }
  return [...ids].sort();
}

function severityOf(match: YaraMatch): Severity {
  const named = match.meta['severity'];
  if (typeof named === 'string') {
    const parsed = parseSeverity(named);
    if (parsed !== undefined) return parsed;
  }
  const score = match.meta['score'];
  const value = typeof score === 'number' ? score : typeof score === 'string' ? Number(score) : Number.NaN;
  if (Number.isFinite(value)) return value >= 80 ? 'high' : value >= 60 ? 'medium' : 'low';
  return 'high';
}
