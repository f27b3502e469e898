import type { HttpRequestSpec, HttpResponse } from '../http-client/http-client.js';
import type { HttpTemplate, TemplateRequest } from './http-template.js';
import { extract, matcherMatches } from './match-response.js';
import type { DslValue } from './parse-dsl.js';
import { renderTemplateText } from './render-template-text.js';

/** What the engine needs from an HTTP client: one call that sends a request (scope and limits are the client's job). */
export interface TemplateSender {
  send(spec: HttpRequestSpec): Promise<HttpResponse>;
}

/** One result, as Nuclei would print one line. */
export interface TemplateResult {
  readonly templateId: string;
  /** The URL that matched (after redirects). */
  readonly url: string;
  readonly request: HttpRequestSpec;
  readonly status: number;
  readonly matcherName?: string;
  readonly extracted: readonly string[];
}

/** Run-time switches that mirror Nuclei's command-line options used by its integration tests. */
export interface TemplateRunOptions {
  /** `-var name=value`: overrides template variables (not constants). */
  readonly vars?: ReadonlyMap<string, string>;
  /** `-dr`: never follow redirects. */
  readonly disableRedirects?: boolean;
  /** `-attack-type`: overrides every request's attack type. */
  readonly attack?: TemplateRequest['attack'];
}

/** What running a template against one target gave: results and the requests that got no answer. */
export interface TemplateRun {
  readonly results: TemplateResult[];
  readonly errors: string[];
  readonly sent: number;
}

/** Runs one template against one target URL: requests in order, matchers, extractors feeding later requests. */
export async function runHttpTemplate(template: HttpTemplate, target: string, sender: TemplateSender, options: TemplateRunOptions = {}): Promise<TemplateRun> {
  const input = new URL(target);
  const scope = new Map<string, DslValue>(targetVariables(input, target));
  const randstr = seededString(template.id);
  scope.set('randstr', randstr);
  for (const [name, value] of template.constants) scope.set(name, renderTemplateText(value, scope));
  for (const [name, value] of template.variables) {
    if (template.constants.some(([c]) => c === name)) continue;
    scope.set(name, options.vars?.get(name) ?? renderTemplateText(value, scope));
  }
  const results: TemplateResult[] = [];
  const errors: string[] = [];
  let sent = 0;
  const cookies = new Map<string, string>();
  const extractedNames = new Set<string>();
  for (const block of template.requests) {
    const attack = options.attack ?? block.attack;
    const steps = block.raw.length > 0 ? block.raw : block.paths;
    let stop = false;
    for (const payload of payloadSets(block.payloads, attack)) {
      const history = new Map<string, DslValue>();
      for (const [index, step] of steps.entries()) {
        const local = new Map<string, DslValue>([...scope, ...payload]);
        const text = renderTemplateText(step, local, payload, extractedNames);
        const spec = block.raw.length > 0 ? rawRequest(text, input, block, local, payload) : pathRequest(text, input, block, local, payload);
        const withCookies = block.cookieReuse && cookies.size > 0 && !spec.headers?.some(([n]) => n.toLowerCase() === 'cookie') ? { ...spec, headers: [...(spec.headers ?? []), ['Cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; ')] as const] } : spec;
        const request: HttpRequestSpec = { ...withCookies, redirects: block.redirects && options.disableRedirects !== true ? block.maxRedirects : 0 };
        let response: HttpResponse;
        try {
          sent += 1;
          response = await sender.send(request);
        } catch (error) {
          errors.push(`${template.id}: ${request.method} ${request.url}: ${error instanceof Error ? error.message : String(error)}`);
          continue;
        }
        for (const [name, value] of response.headers) {
          if (name !== 'set-cookie') continue;
          const m = /^\s*([^=;\s]+)=([^;]*)/.exec(value);
          if (m !== null) cookies.set(m[1] ?? '', m[2] ?? '');
        }
        const vars = responseVariables(response, request);
        const n = index + 1;
        for (const [name, value] of vars) history.set(`${name}_${n}`, value);
        if (block.id !== undefined) for (const [name, value] of vars) scope.set(`${block.id}_${name}`, value);
        const eventScope = new Map<string, DslValue>([...local, ...history, ...vars]);
        const extracted: string[] = [];
        for (const extractor of block.extractors) {
          const values = extract(extractor, eventScope);
          if (extractor.name !== undefined && values[0] !== undefined) {
            scope.set(extractor.name, values[0]);
            extractedNames.add(extractor.name);
          }
          if (!extractor.internal) extracted.push(...values);
        }
        if (block.requestCondition && index < steps.length - 1) continue;
        const base = { templateId: template.id, url: response.url, request, status: response.status };
        if (block.matchers.length === 0) {
          if (extracted.length > 0) results.push({ ...base, extracted });
          continue;
        }
        const outcomes = block.matchers.map((m) => matcherMatches(m, eventScope, response.body));
        const matched = block.matchersCondition === 'and' ? outcomes.every(Boolean) : outcomes.some(Boolean);
        if (!matched) continue;
        const named = block.matchersCondition === 'or' ? block.matchers.filter((m, i) => outcomes[i] === true && m.name !== undefined && !m.internal) : [];
        if (named.length > 0) for (const m of named) results.push({ ...base, ...(m.name === undefined ? {} : { matcherName: m.name }), extracted });
        else results.push({ ...base, extracted });
        if (block.stopAtFirstMatch) {
          stop = true;
          break;
        }
      }
      if (stop) break;
    }
    if (stop) break;
  }
  return { results, errors, sent };
}

/** `{{BaseURL}}`, `{{RootURL}}`, `{{Hostname}}`, … from the target as given. */
function targetVariables(url: URL, given: string): [string, DslValue][] {
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  const path = url.pathname === '/' && !/^[a-z]+:\/\/[^/]+\/$/i.test(given.split('?')[0] ?? '') ? '' : url.pathname;
  const base = `${url.origin}${path}`;
  return [
    ['BaseURL', base],
    ['RootURL', url.origin],
    ['Hostname', url.host],
    ['Host', url.hostname],
    ['FQDN', url.hostname],
    ['Port', port],
    ['Path', path],
    ['File', path.split('/').pop() ?? ''],
    ['Scheme', url.protocol.replace(':', '')],
    ['Input', given],
  ];
}

/** Nuclei's safe mode: a `%` that does not start an escape is sent as `%25`. */
function escapeStrayPercents(path: string): string {
  return path.replace(/%(?![0-9a-fA-F]{2})/g, '%25');
}

function mergeQuery(url: string, input: URL): string {
  if (input.search === '') return url;
  const [head, query = ''] = url.split('?', 2);
  const have = new Set(query.split('&').filter(Boolean).map((p) => p.split('=')[0]));
  const extra = input.search.slice(1).split('&').filter((p) => p !== '' && !have.has(p.split('=')[0]));
  const all = [...extra, ...query.split('&').filter(Boolean)];
  return all.length > 0 ? `${head}?${all.join('&')}` : (head ?? url);
}

function pathRequest(text: string, input: URL, block: TemplateRequest, scope: ReadonlyMap<string, DslValue>, payload: ReadonlyMap<string, string>): HttpRequestSpec {
  // The template's path always names the target; anything else would leave the scope, which the client refuses anyway.
  const url = /^https?:\/\//i.test(text) ? text : `${input.origin}${text.startsWith('/') ? '' : '/'}${text}`;
  const headers = block.headers.map(([k, v]): [string, string] => [k, renderTemplateText(v, scope, payload)]);
  const body = renderTemplateText(block.body, scope, payload);
  return { method: block.method, url: mergeQuery(escapeUrlPath(url), input), headers, ...(body === '' ? {} : { body }) };
}

function escapeUrlPath(url: string): string {
  const m = /^(https?:\/\/[^/?#]+)(.*)$/i.exec(url);
  return m === null ? url : `${m[1] ?? ''}${escapeStrayPercents(m[2] ?? '')}`;
}

/** Parses a raw request; it is always sent to the target's origin, with the path merged onto the target's path. */
function rawRequest(text: string, input: URL, block: TemplateRequest, scope: ReadonlyMap<string, DslValue>, payload: ReadonlyMap<string, string>): HttpRequestSpec {
  const normalized = text.replace(/\r\n/g, '\n').replace(/^\n+/, '');
  const split = normalized.indexOf('\n\n');
  const head = split === -1 ? normalized : normalized.slice(0, split);
  const body = split === -1 ? '' : normalized.slice(split + 2).replace(/\n+$/, '');
  const [requestLine = '', ...headerLines] = head.split('\n');
  const parts = requestLine.trim().split(/\s+/);
  const method = (parts[0] ?? 'GET').toUpperCase();
  let path = parts.length >= 3 ? (parts[1] ?? '/') : parts.length === 2 && !/^HTTP\//i.test(parts[1] ?? '') ? (parts[1] ?? '/') : '';
  if (/^https?:\/\//i.test(path)) path = path.replace(/^https?:\/\/[^/]+/i, '') || '/';
  if (path === '') path = '/';
  if (!path.startsWith('/')) path = `/${path}`;
  const targetPath = input.pathname;
  if (!block.disablePathAutomerge && targetPath !== '/' && targetPath !== '') path = path === '/' ? targetPath : `${targetPath.replace(/\/$/, '')}${path}`;
  const headers: [string, string][] = [];
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  for (const [k, v] of block.headers) headers.push([k, renderTemplateText(v, scope, payload)]);
  const url = mergeQuery(`${input.origin}${block.raw.length > 0 && isUnsafe(block) ? path : escapeStrayPercents(path)}`, input);
  return { method, url, headers, ...(body === '' ? {} : { body }) };
}

function isUnsafe(block: TemplateRequest): boolean {
  return block.raw.length > 0 && block.unsafe;
}

/** Payload combinations in Nuclei's order for each attack type. */
export function payloadSets(payloads: ReadonlyMap<string, readonly string[]>, attack: TemplateRequest['attack']): Map<string, string>[] {
  const names = [...payloads.keys()];
  if (names.length === 0) return [new Map()];
  const lists = names.map((n) => payloads.get(n) ?? []);
  if (attack === 'clusterbomb') {
    let combos: Map<string, string>[] = [new Map()];
    names.forEach((name, i) => {
      combos = combos.flatMap((c) => (lists[i] ?? []).map((v) => new Map([...c, [name, v]])));
    });
    return combos.slice(0, 10_000);
  }
  const length = attack === 'pitchfork' ? Math.min(...lists.map((l) => l.length)) : Math.max(...lists.map((l) => l.length));
  return Array.from({ length: Math.min(length, 10_000) }, (_, i) => new Map(names.map((n, j) => [n, (lists[j] ?? [])[i % Math.max(1, (lists[j] ?? []).length)] ?? ''])));
}

/** The variables a response offers to matchers: body, headers (raw and one per header), status, sizes. */
function responseVariables(response: HttpResponse, request: HttpRequestSpec): Map<string, DslValue> {
  const body = response.body.toString('latin1');
  const headerText = response.headers.map(([n, v]) => `${canonicalHeader(n)}: ${v}`).join('\r\n');
  const statusLine = `HTTP/1.1 ${response.status}`;
  const vars = new Map<string, DslValue>();
  for (const [name, value] of response.headers) {
    const key = name.replace(/-/g, '_');
    const previous = vars.get(key);
    vars.set(key, previous === undefined ? value : `${String(previous)} ${value}`);
  }
  const length = response.headers.find(([n]) => n === 'content-length')?.[1];
  vars.set('body', body);
  vars.set('header', `${statusLine}\r\n${headerText}\r\n`);
  vars.set('all_headers', `${statusLine}\r\n${headerText}\r\n`);
  vars.set('response', `${statusLine}\r\n${headerText}\r\n\r\n${body}`);
  vars.set('status_code', response.status);
  vars.set('content_length', length !== undefined && /^\d+$/.test(length) ? Number(length) : response.body.length);
  vars.set('duration', response.durationMs / 1000);
  vars.set('url', response.url);
  vars.set('host', new URL(response.url).hostname);
  vars.set('request', `${request.method} ${request.url}`);
  return vars;
}

/** `content-type` → `Content-Type`, as Go prints header names. */
function canonicalHeader(name: string): string {
  return name.split('-').map((p) => (p === '' ? p : p[0]?.toUpperCase() + p.slice(1))).join('-');
}

/** `{{randstr}}`: random-looking but the same for a template on every run, so reports stay reproducible. */
function seededString(seed: string): string {
  let h = 2166136261;
  let out = '';
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  for (let i = 0; i < 27; i += 1) {
    for (const c of `${seed}:${i}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
    out += alphabet[(h >>> 0) % alphabet.length] ?? 'x';
  }
  return out;
}
