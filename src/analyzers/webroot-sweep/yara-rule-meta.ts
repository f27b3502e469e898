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
  // Only w3guard's own ids are kept: other authors use `id` for UUIDs (signature-base), which say nothing.
  const own = text('id');
  const id = own !== undefined && own.startsWith('w3g-') ? own : `yara.${match.rule}`;
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

/**
 * The finding rule ids a YARA source can produce, read from its text: each `rule NAME` with its `id = "w3g-…"`
 * meta, else `yara.NAME`, the way `yaraRuleMeta` names a match. Used to say what a sweep covered, so a web shell
 * that is gone can be marked fixed; a rule this light reading misses is only never closed, never wrongly closed.
 */
export function declaredYaraRuleIds(text: string): string[] {
  const ids: string[] = [];
  // Comments and string contents blanked (same length, so offsets still point into `text`): a rule inside either is not one.
  const blank = (part: string): string => part.replace(/[^\n]/g, ' ');
  const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:[^"\\\n]|\\.)*"/g, (part) => (part.startsWith('"') ? `"${blank(part.slice(1, -1))}"` : blank(part)));
  const declaration = /\brule\s+([A-Za-z_][A-Za-z0-9_]{0,127})\s*(?::[^{]*)?\{/g;
  const starts = [...code.matchAll(declaration)];
  starts.forEach((match, index) => {
    const name = match[1] as string;
    const from = (match.index ?? 0) + match[0].length;
    const to = starts[index + 1]?.index ?? code.length;
    const meta = /\bmeta\s*:([\s\S]*?)\b(?:strings|condition)\s*:/.exec(code.slice(from, to));
    const metaText = meta === null ? '' : text.slice(from + meta.index, from + meta.index + meta[0].length);
    const own = /\bid\s*=\s*"(w3g-[^"\s]{1,120})"/.exec(metaText)?.[1];
    ids.push(own ?? `yara.${name}`);
  });
  return ids;
}
