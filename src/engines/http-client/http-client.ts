import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import type { ScanIssue } from '../../core/scan-issue.js';
import type { HttpScope } from './http-scope.js';
import { hostKey } from './http-scope.js';
import { Limiter, RateGate, sleep } from './limiter.js';

/** The default User-Agent: says who we are and where to read about us, so site owners can recognise the scan. */
export const DEFAULT_USER_AGENT = 'w3guard-scan/0.1 (+https://github.com/w3guard/w3guard; IIS exposure scanner)';

/** One request as a check or template wants it sent. The URL's path is sent as written, without normalisation. */
export interface HttpRequestSpec {
  readonly method: string;
  /** Absolute `http(s)://host[:port]/path?query`; the path may hold characters a URL parser would rewrite (`*~1*`). */
  readonly url: string;
  readonly headers?: readonly (readonly [string, string])[];
  readonly body?: string;
  /** How many in-scope redirects to follow (0: none). */
  readonly redirects?: number;
}

/** One hop of a followed redirect. */
export interface RedirectHop {
  readonly url: string;
  readonly status: number;
  readonly location: string;
}

/** What came back, with the body capped. Header names are lower case, in the order received. */
export interface HttpResponse {
  readonly url: string;
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  readonly truncated: boolean;
  readonly durationMs: number;
  readonly redirects: readonly RedirectHop[];
  /** A redirect to a host that was not named: reported, not followed. */
  readonly offScopeRedirect?: string;
}

/** Stable codes for requests that got no answer. */
export type HttpErrorCode = 'http.off-scope' | 'http.host-down' | 'http.timeout' | 'http.transport' | 'http.aborted' | 'http.bad-request';

/** A request that got no answer, with a stable code. */
export class HttpClientError extends Error {
  override readonly name = 'HttpClientError';
  constructor(
    readonly code: HttpErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** How the client behaves; every limit has a default fit for scanning production sites gently. */
export interface HttpClientOptions {
  readonly scope: HttpScope;
  readonly userAgent?: string;
  /** Sent with every request and winning over a check's own (authenticated scans). */
  readonly headers?: readonly (readonly [string, string])[];
  readonly cookie?: string;
  readonly proxy?: string;
  /** Requests per second per host (0: unlimited). */
  readonly ratePerHost?: number;
  readonly concurrencyPerHost?: number;
  readonly concurrency?: number;
  readonly connectTimeoutMs?: number;
  readonly headersTimeoutMs?: number;
  readonly bodyTimeoutMs?: number;
  readonly maxBodyBytes?: number;
  /** Retries after a transport error, with exponential back-off from `retryDelayMs`. */
  readonly retries?: number;
  readonly retryDelayMs?: number;
  /** Consecutive failed requests after which a host is treated as down and not contacted again. */
  readonly errorBudget?: number;
  readonly signal?: AbortSignal;
}

/** Counters for the report and the benchmark. */
export interface HttpClientStats {
  sent: number;
  duplicatesAvoided: number;
  retries: number;
  failures: number;
  bytes: number;
}

/** Undici forbids these request headers, or they would corrupt framing; raw templates often carry them. */
const DROPPED_HEADERS = new Set(['connection', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect', 'content-length', 'proxy-connection', 'te']);

/** Answers kept for de-duplication. */
const MAX_CACHED = 2_000;

interface HostState {
  readonly limiter: Limiter;
  readonly gate: RateGate;
  failures: number;
  down: boolean;
}

/** The scanner's HTTP engine: scope, limits, retries, error budget and request de-duplication over undici keep-alive pools. */
export class HttpClient {
  readonly stats: HttpClientStats = { sent: 0, duplicatesAvoided: 0, retries: 0, failures: 0, bytes: 0 };
  readonly issues: ScanIssue[] = [];
  readonly #options: Required<Omit<HttpClientOptions, 'proxy' | 'cookie' | 'signal'>> & Pick<HttpClientOptions, 'proxy' | 'cookie' | 'signal'>;
  readonly #dispatcher: Dispatcher;
  readonly #global: Limiter;
  readonly #hosts = new Map<string, HostState>();
  readonly #cache = new Map<string, Promise<HttpResponse>>();
  readonly #reported = new Set<string>();

  constructor(options: HttpClientOptions) {
    this.#options = {
      userAgent: DEFAULT_USER_AGENT,
      headers: [],
      ratePerHost: 0,
      concurrencyPerHost: 4,
      concurrency: 16,
      connectTimeoutMs: 5_000,
      headersTimeoutMs: 10_000,
      bodyTimeoutMs: 10_000,
      maxBodyBytes: 1024 * 1024,
      retries: 1,
      retryDelayMs: 200,
      errorBudget: 5,
      ...options,
    };
    const perOrigin = { connections: this.#options.concurrencyPerHost, pipelining: 1, keepAliveTimeout: 4_000 };
    // Certificates are judged by the TLS probe; the HTTP checks must still reach a site with a broken one.
    const connect = { timeout: this.#options.connectTimeoutMs, rejectUnauthorized: false };
    this.#dispatcher =
      this.#options.proxy === undefined
        ? new Agent({ ...perOrigin, connect })
        : new ProxyAgent({ uri: this.#options.proxy, ...perOrigin, requestTls: { rejectUnauthorized: false }, proxyTls: { rejectUnauthorized: false } });
    this.#global = new Limiter(this.#options.concurrency);
  }

  get scope(): HttpScope {
    return this.#options.scope;
  }

  /** Sends a request once per scan: an identical request (method, URL, headers, body) from another check shares the answer. */
  send(spec: HttpRequestSpec): Promise<HttpResponse> {
    const key = requestKey(spec);
    const cached = this.#cache.get(key);
    if (cached !== undefined) {
      this.stats.duplicatesAvoided += 1;
      return cached;
    }
    const pending = this.#sendFollowing(spec);
    this.#cache.set(key, pending);
    // Bodies are capped but many: keep the most recent answers only (a site's checks run close together).
    if (this.#cache.size > MAX_CACHED) {
      const oldest = this.#cache.keys().next();
      if (oldest.done !== true) this.#cache.delete(oldest.value);
    }
    return pending;
  }

  /** Whether a host has used up its error budget. */
  isDown(url: string): boolean {
    const split = splitUrl(url);
    return split !== undefined && this.#hosts.get(hostKey(new URL(split.origin)))?.down === true;
  }

  async close(): Promise<void> {
    await this.#dispatcher.close();
  }

  async #sendFollowing(spec: HttpRequestSpec): Promise<HttpResponse> {
    const hops: RedirectHop[] = [];
    let current = spec;
    for (;;) {
      const response = await this.#sendOnce(current);
      const location = headerValue(response.headers, 'location');
      const isRedirect = response.status >= 300 && response.status < 400 && location !== undefined;
      if (!isRedirect) return { ...response, redirects: hops };
      let target: URL;
      try {
        target = new URL(location, response.url);
      } catch {
        return { ...response, redirects: hops };
      }
      if (!this.#options.scope.allows(target)) {
        this.#issueOnce(`off:${response.url}`, { code: 'http.off-scope-redirect', message: `${response.url} redirects to ${target.href}, a host that was not named; not followed.`, path: response.url });
        return { ...response, redirects: hops, offScopeRedirect: target.href };
      }
      if (hops.length >= (spec.redirects ?? 0)) return { ...response, redirects: hops };
      hops.push({ url: response.url, status: response.status, location: target.href });
      const keepsMethod = response.status === 307 || response.status === 308;
      current = keepsMethod ? { ...current, url: target.href } : { method: 'GET', url: target.href, ...(current.headers === undefined ? {} : { headers: current.headers }) };
    }
  }

  async #sendOnce(spec: HttpRequestSpec): Promise<HttpResponse> {
    const split = splitUrl(spec.url);
    if (split === undefined) throw new HttpClientError('http.bad-request', `not an absolute http(s) URL: ${spec.url}`);
    if (!this.#options.scope.allows(split.origin)) throw new HttpClientError('http.off-scope', `${split.origin} was not named as a target; not contacted.`);
    const host = this.#host(hostKey(new URL(split.origin)));
    if (host.down) throw new HttpClientError('http.host-down', `${split.origin} stopped answering; no more requests are sent to it.`);
    const releaseGlobal = await this.#global.acquire();
    const releaseHost = await host.limiter.acquire();
    try {
      for (let attempt = 0; ; attempt += 1) {
        if (host.down) throw new HttpClientError('http.host-down', `${split.origin} stopped answering; no more requests are sent to it.`);
        if (this.#options.signal?.aborted === true) throw new HttpClientError('http.aborted', 'scan interrupted');
        await host.gate.wait(this.#options.signal);
        try {
          const response = await this.#exchange(spec, split);
          host.failures = 0;
          return response;
        } catch (error) {
          const failure = error instanceof HttpClientError ? error : new HttpClientError('http.transport', describe(error), { cause: error });
          if (failure.code === 'http.aborted' || failure.code === 'http.bad-request') throw failure;
          if (attempt < this.#options.retries) {
            this.stats.retries += 1;
            await sleep(this.#options.retryDelayMs * 2 ** attempt, this.#options.signal);
            continue;
          }
          this.stats.failures += 1;
          host.failures += 1;
          if (host.failures >= this.#options.errorBudget && !host.down) {
            host.down = true;
            this.#issueOnce(`down:${split.origin}`, { code: 'http.host-down', message: `${split.origin} failed ${host.failures} requests in a row (${failure.message}); the rest of its checks were skipped.`, path: split.origin });
          }
          throw failure;
        }
      }
    } finally {
      releaseHost();
      releaseGlobal();
    }
  }

  async #exchange(spec: HttpRequestSpec, split: { origin: string; path: string }): Promise<HttpResponse> {
    const started = performance.now();
    const signals = [AbortSignal.timeout(this.#options.connectTimeoutMs + this.#options.headersTimeoutMs + this.#options.bodyTimeoutMs)];
    if (this.#options.signal !== undefined) signals.push(this.#options.signal);
    const signal = AbortSignal.any(signals);
    this.stats.sent += 1;
    let answer: Dispatcher.ResponseData;
    try {
      answer = await this.#dispatcher.request({
        origin: split.origin,
        path: split.path,
        method: spec.method,
        headers: this.#headersFor(spec),
        ...(spec.body === undefined || spec.body === '' ? {} : { body: spec.body }),
        headersTimeout: this.#options.headersTimeoutMs,
        bodyTimeout: this.#options.bodyTimeoutMs,
        signal,
      });
    } catch (error) {
      throw classify(error, this.#options.signal);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    try {
      for await (const chunk of answer.body as AsyncIterable<Buffer>) {
        const room = this.#options.maxBodyBytes - size;
        if (chunk.length >= room) {
          chunks.push(chunk.subarray(0, room));
          size += room;
          truncated = chunk.length > room;
          if (truncated) break;
          continue;
        }
        chunks.push(chunk);
        size += chunk.length;
      }
    } catch (error) {
      throw classify(error, this.#options.signal);
    } finally {
      if (truncated) answer.body.destroy();
    }
    this.stats.bytes += size;
    return {
      url: split.origin + split.path,
      status: answer.statusCode,
      headers: flattenHeaders(answer.headers),
      body: Buffer.concat(chunks, size),
      truncated,
      durationMs: performance.now() - started,
      redirects: [],
    };
  }

  #headersFor(spec: HttpRequestSpec): string[] {
    const merged = new Map<string, [string, string][]>();
    const put = (name: string, value: string, replace: boolean): void => {
      const key = name.toLowerCase();
      if (DROPPED_HEADERS.has(key)) return;
      const list = replace ? [] : (merged.get(key) ?? []);
      list.push([name, value]);
      merged.set(key, list);
    };
    put('User-Agent', this.#options.userAgent, true);
    const seen = new Set<string>();
    for (const [name, value] of spec.headers ?? []) {
      const key = name.toLowerCase();
      put(name, value, !seen.has(key));
      seen.add(key);
    }
    for (const [name, value] of this.#options.headers) put(name, value, true);
    if (this.#options.cookie !== undefined) {
      const own = merged.get('cookie')?.map(([, v]) => v) ?? [];
      put('Cookie', [...own, this.#options.cookie].join('; '), true);
    }
    return [...merged.values()].flat().flat();
  }

  #host(key: string): HostState {
    let state = this.#hosts.get(key);
    if (state === undefined) {
      state = { limiter: new Limiter(this.#options.concurrencyPerHost), gate: new RateGate(this.#options.ratePerHost), failures: 0, down: false };
      this.#hosts.set(key, state);
    }
    return state;
  }

  #issueOnce(key: string, issue: ScanIssue): void {
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    this.issues.push(issue);
  }
}

/** The first value of a header (names compared lower case). */
export function headerValue(headers: readonly (readonly [string, string])[], name: string): string | undefined {
  const key = name.toLowerCase();
  return headers.find(([n]) => n === key)?.[1];
}

/** Every value of a header. */
export function headerValues(headers: readonly (readonly [string, string])[], name: string): string[] {
  const key = name.toLowerCase();
  return headers.filter(([n]) => n === key).map(([, v]) => v);
}

/** Splits an absolute URL into origin and the path exactly as written (a URL parser would rewrite `..` or `*~1*`). */
export function splitUrl(url: string): { origin: string; path: string } | undefined {
  const m = /^(https?:\/\/[^/?#\s]+)([^#\s]*)/i.exec(url);
  if (m === null) return undefined;
  let origin: string;
  try {
    origin = new URL(m[1] ?? '').origin;
  } catch {
    return undefined;
  }
  const rest = m[2] ?? '';
  return { origin, path: rest === '' ? '/' : rest.startsWith('/') ? rest : `/${rest}` };
}

function requestKey(spec: HttpRequestSpec): string {
  const headers = (spec.headers ?? []).map(([n, v]) => `${n.toLowerCase()}:${v}`).sort();
  return JSON.stringify([spec.method.toUpperCase(), spec.url, headers, spec.body ?? '', spec.redirects ?? 0]);
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push([name.toLowerCase(), v]);
  }
  return out;
}

function classify(error: unknown, outer: AbortSignal | undefined): HttpClientError {
  if (outer?.aborted === true) return new HttpClientError('http.aborted', 'scan interrupted', { cause: error });
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const name = error instanceof Error ? error.name : '';
  if (/TIMEOUT/i.test(code) || name === 'TimeoutError' || name === 'AbortError') return new HttpClientError('http.timeout', describe(error), { cause: error });
  if (code === 'UND_ERR_INVALID_ARG' || code === 'ERR_INVALID_ARG_VALUE') return new HttpClientError('http.bad-request', describe(error), { cause: error });
  return new HttpClientError('http.transport', describe(error), { cause: error });
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = 'code' in error ? ` (${String(error.code)})` : '';
    return `${error.message}${code}`;
  }
  return String(error);
}
