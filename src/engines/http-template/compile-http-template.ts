import { isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import { parseSeverity } from '../../core/severity.js';
import { re2 } from './evaluate-dsl.js';
import type { HttpTemplate, TemplateDiagnostic, TemplateExtractor, TemplateMatcher, TemplateRequest } from './http-template.js';
import { dslNames, parseDsl } from './parse-dsl.js';

const OTHER_PROTOCOLS = ['dns', 'file', 'network', 'tcp', 'headless', 'ssl', 'websocket', 'whois', 'code', 'javascript', 'flow', 'workflows', 'multiprotocol'];
/** `http:` keys that change what is sent or matched and that this engine does not run: the template is skipped, not run half-way. */
const UNSUPPORTED_REQUEST_KEYS = ['race', 'race_count', 'pipeline', 'pipeline-concurrent-connections', 'pipeline-requests-per-connection', 'fuzzing', 'analyzer', 'digest-username', 'digest-password'];
/** Keys that only tune Nuclei's own scheduling or output; ignored. */
const IGNORED_REQUEST_KEYS = ['threads', 'max-size', 'read-all', 'skip-variables-check', 'id', 'name', 'iterate-all', 'req-condition', 'unsafe', 'host-redirects', 'max-redirects', 'redirects', 'disable-path-automerge', 'cookie-reuse', 'disable-cookie', 'attack', 'payloads', 'matchers', 'matchers-condition', 'extractors', 'stop-at-first-match', 'method', 'path', 'raw', 'headers', 'body', 'pre-condition', 'global-matchers'];
const TEMPLATE_KEYS = ['id', 'info', 'variables', 'constants', 'http', 'requests', 'signature', 'stop-at-first-match'];

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => String(x)) : v === undefined || v === null ? [] : [String(v)]);

/** The result of compiling one template file: the template, unless a fatal diagnostic kept it out. */
export interface CompiledTemplateFile {
  readonly template?: HttpTemplate;
  readonly diagnostics: TemplateDiagnostic[];
}

/** Compiles one Nuclei HTTP template from YAML text. Every problem is a diagnostic with file and line; nothing throws. */
export function compileHttpTemplate(text: string, file: string): CompiledTemplateFile {
  const diagnostics: TemplateDiagnostic[] = [];
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const lineAt = (path: readonly (string | number)[]): number | undefined => {
    // A mapping key points at the key's own line, not at the value below it.
    const parent: unknown = path.length > 0 ? doc.getIn(path.slice(0, -1), true) : undefined;
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === path[path.length - 1]);
      if (pair !== undefined && isNode(pair.key) && pair.key.range !== undefined && pair.key.range !== null) return lineCounter.linePos(pair.key.range[0]).line;
    }
    for (let n = path.length; n >= 0; n -= 1) {
      const node: unknown = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range !== undefined && node.range !== null) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const fail = (code: string, message: string, path: readonly (string | number)[] = []): CompiledTemplateFile => {
    diagnostics.push({ code, message, file, line: lineAt(path), fatal: true });
    return { diagnostics };
  };
  const warn = (code: string, message: string, path: readonly (string | number)[]): void => {
    diagnostics.push({ code, message, file, line: lineAt(path), fatal: false });
  };
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    diagnostics.push({ code: 'template.yaml', message: `not valid YAML: ${first?.message.split('\n')[0] ?? ''}`, file, line: first === undefined ? 1 : lineCounter.linePos(first.pos[0]).line, fatal: true });
    return { diagnostics };
  }
  const root: unknown = doc.toJS({ maxAliasCount: 100 });
  if (!isObject(root)) return fail('template.shape', 'a template is a YAML mapping');
  const id = typeof root['id'] === 'string' ? root['id'] : undefined;
  if (id === undefined || !/^[A-Za-z0-9][\w.-]*$/.test(id)) return fail('template.id', 'the template needs an id of letters, digits, "-", "_" or "."', ['id']);
  const info = isObject(root['info']) ? root['info'] : {};
  for (const key of Object.keys(root)) {
    if (OTHER_PROTOCOLS.includes(key)) return fail('template.unsupported-protocol', `protocol "${key}" is not supported (only http)`, [key]);
    if (key === 'self-contained') return fail('template.unsupported', 'self-contained templates are not supported: scan only contacts the named targets', [key]);
    if (!TEMPLATE_KEYS.includes(key)) warn('template.unknown-key', `key "${key}" is ignored`, [key]);
  }
  const blocksKey = root['http'] !== undefined ? 'http' : 'requests';
  const blocks = root[blocksKey];
  if (!Array.isArray(blocks) || blocks.length === 0) return fail('template.no-http', 'the template has no http requests', []);
  if (/\{\{\s*interactsh-url\s*\}\}|interactsh_(protocol|request|response)/.test(text)) {
    return fail('template.unsupported-interactsh', 'out-of-band (interactsh) checks are not supported: they need a callback server outside the scope', [blocksKey]);
  }
  const requests: TemplateRequest[] = [];
  for (const [index, block] of blocks.entries()) {
    const at = (...rest: (string | number)[]): (string | number)[] => [blocksKey, index, ...rest];
    if (!isObject(block)) return fail('template.shape', 'each http entry is a mapping', at());
    for (const key of Object.keys(block)) {
      if (UNSUPPORTED_REQUEST_KEYS.includes(key)) return fail('template.unsupported-feature', `"${key}" is not supported`, at(key));
      if (!IGNORED_REQUEST_KEYS.includes(key)) warn('template.unknown-key', `key "${key}" is ignored`, at(key));
    }
    if (block['unsafe'] === true) warn('template.unsafe-approximated', 'unsafe raw requests are sent through the normal HTTP client: header order and malformed framing are not preserved', at('unsafe'));
    const payloads = new Map<string, string[]>();
    if (isObject(block['payloads'])) {
      for (const [name, values] of Object.entries(block['payloads'])) {
        if (!Array.isArray(values)) return fail('template.unsupported-payload-file', `payload "${name}" names a file; only inline lists are supported`, at('payloads', name));
        payloads.set(name, values.map((v) => String(v)));
      }
    }
    const attackText = typeof block['attack'] === 'string' ? block['attack'] : undefined;
    if (attackText !== undefined && !['batteringram', 'pitchfork', 'clusterbomb'].includes(attackText)) return fail('template.attack', `attack type "${attackText}" is not one of batteringram, pitchfork, clusterbomb`, at('attack'));
    const matchers: TemplateMatcher[] = [];
    for (const [m, raw] of (Array.isArray(block['matchers']) ? block['matchers'] : []).entries()) {
      const compiled = compileMatcher(raw);
      if (typeof compiled === 'string') return fail('template.matcher', compiled, at('matchers', m));
      matchers.push(compiled);
    }
    const extractors: TemplateExtractor[] = [];
    for (const [e, raw] of (Array.isArray(block['extractors']) ? block['extractors'] : []).entries()) {
      const compiled = compileExtractor(raw);
      if (typeof compiled === 'string') return fail('template.extractor', compiled, at('extractors', e));
      extractors.push(compiled);
    }
    const headers = isObject(block['headers']) ? Object.entries(block['headers']).map(([k, v]): [string, string] => [k, String(v)]) : [];
    const raw = asStrings(block['raw']);
    const paths = asStrings(block['path']);
    if (raw.length === 0 && paths.length === 0) return fail('template.no-request', 'an http entry needs path or raw', at());
    const requestCondition = matchers.some((m) => m.type === 'dsl' && m.dsl.some((source) => [...dslNames(parseDsl(source.replace(/\{\{[^{}]*\}\}/g, 'x')))].some((n) => /_\d+$/.test(n))));
    requests.push({
      ...(typeof block['id'] === 'string' && /^[A-Za-z_]\w*$/.test(block['id']) ? { id: block['id'] } : {}),
      method: typeof block['method'] === 'string' ? block['method'].toUpperCase() : 'GET',
      paths,
      raw,
      headers,
      body: typeof block['body'] === 'string' ? block['body'] : '',
      payloads,
      attack: attackText === 'pitchfork' || attackText === 'clusterbomb' ? attackText : 'batteringram',
      matchers,
      matchersCondition: block['matchers-condition'] === 'and' ? 'and' : 'or',
      extractors,
      stopAtFirstMatch: block['stop-at-first-match'] === true || root['stop-at-first-match'] === true,
      redirects: block['redirects'] === true || block['host-redirects'] === true,
      maxRedirects: typeof block['max-redirects'] === 'number' ? Math.min(block['max-redirects'], 10) : 10,
      requestCondition,
      disablePathAutomerge: block['disable-path-automerge'] === true,
      cookieReuse: block['disable-cookie'] !== true,
      unsafe: block['unsafe'] === true,
    });
  }
  const severity = parseSeverity(String(info['severity'] ?? 'info')) ?? 'info';
  const classification = isObject(info['classification']) ? info['classification'] : {};
  const cves = asStrings(classification['cve-id']).filter((c) => /^CVE-\d{4}-\d+$/i.test(c));
  const tags = [...new Set([...asStrings(info['tags']).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean), ...cves.map((c) => `cve.${c.slice(4).toLowerCase()}`)])];
  const template: HttpTemplate = {
    id,
    file,
    name: typeof info['name'] === 'string' ? info['name'] : id,
    severity,
    description: typeof info['description'] === 'string' ? info['description'].trim() : typeof info['name'] === 'string' ? info['name'] : id,
    tags,
    references: asStrings(info['reference']).filter((r) => /^https?:\/\//.test(r)),
    ...(typeof info['remediation'] === 'string' ? { remediation: info['remediation'].trim() } : {}),
    variables: isObject(root['variables']) ? Object.entries(root['variables']).map(([k, v]): [string, string] => [k, String(v)]) : [],
    constants: isObject(root['constants']) ? Object.entries(root['constants']).map(([k, v]): [string, string] => [k, String(v)]) : [],
    requests,
  };
  return { template, diagnostics };
}

/** Checks the syntax now, with each `{{…}}` (filled in at run time) standing in as a string. */
function parseAll(expressions: readonly string[]): string[] | string {
  for (const expression of expressions) {
    try {
      parseDsl(expression.replace(/\{\{[^{}]*\}\}/g, 'x'));
    } catch (error) {
      return `DSL ${JSON.stringify(expression.slice(0, 120))}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  return [...expressions];
}

function checkRegexes(patterns: readonly string[]): string | undefined {
  for (const pattern of patterns) {
    try {
      re2(pattern);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
  return undefined;
}

function compileMatcher(raw: unknown): TemplateMatcher | string {
  if (!isObject(raw)) return 'a matcher is a mapping';
  const base = {
    ...(typeof raw['name'] === 'string' ? { name: raw['name'] } : {}),
    part: typeof raw['part'] === 'string' ? raw['part'] : 'body',
    negative: raw['negative'] === true,
    internal: raw['internal'] === true,
    condition: raw['condition'] === 'and' ? ('and' as const) : ('or' as const),
  };
  switch (raw['type']) {
    case 'word': {
      const hex = raw['encoding'] === 'hex';
      const words = asStrings(raw['words']).map((w) => (hex ? Buffer.from(w, 'hex').toString('latin1') : w));
      return { ...base, type: 'word', words, caseInsensitive: raw['case-insensitive'] === true };
    }
    case 'regex': {
      const regex = asStrings(raw['regex']);
      const bad = checkRegexes(regex);
      return bad ?? { ...base, type: 'regex', regex };
    }
    case 'status':
      return { ...base, type: 'status', status: asStrings(raw['status']).map(Number) };
    case 'size':
      return { ...base, type: 'size', size: asStrings(raw['size']).map(Number) };
    case 'binary':
      return { ...base, type: 'binary', binary: asStrings(raw['binary']).map((b) => Buffer.from(b, 'hex')) };
    case 'dsl': {
      const dsl = parseAll(asStrings(raw['dsl']));
      return typeof dsl === 'string' ? dsl : { ...base, part: 'all', type: 'dsl', dsl };
    }
    default:
      return `matcher type ${JSON.stringify(raw['type'])} is not supported (word, regex, status, size, binary, dsl)`;
  }
}

function compileExtractor(raw: unknown): TemplateExtractor | string {
  if (!isObject(raw)) return 'an extractor is a mapping';
  const base = {
    ...(typeof raw['name'] === 'string' ? { name: raw['name'] } : {}),
    part: typeof raw['part'] === 'string' ? raw['part'] : 'body',
    internal: raw['internal'] === true,
  };
  switch (raw['type']) {
    case 'regex': {
      const regex = asStrings(raw['regex']);
      const bad = checkRegexes(regex);
      return bad ?? { ...base, type: 'regex', regex, group: typeof raw['group'] === 'number' ? raw['group'] : 0 };
    }
    case 'kval':
      return { ...base, part: typeof raw['part'] === 'string' ? raw['part'] : 'header', type: 'kval', kval: asStrings(raw['kval']) };
    case 'json':
      return { ...base, type: 'json', json: asStrings(raw['json']) };
    case 'dsl': {
      const dsl = parseAll(asStrings(raw['dsl']));
      return typeof dsl === 'string' ? dsl : { ...base, type: 'dsl', dsl };
    }
    default:
      return `extractor type ${JSON.stringify(raw['type'])} is not supported (regex, kval, json, dsl)`;
  }
}
