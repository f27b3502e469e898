import type { Evidence } from '../../core/evidence.js';
import type { RuleMeta } from '../../core/rule-meta.js';
import { headerValue, type HttpClient, type HttpRequestSpec, type HttpResponse } from '../../engines/http-client/http-client.js';

/** What a check gets for one site. */
export interface ProbeContext {
  /** The site's base URL without a trailing slash, for example `https://portal.example.com`. */
  readonly base: string;
  readonly client: HttpClient;
  /** The clock, for end-of-life comparisons. */
  readonly now: Date;
  /** Sends a request relative to the base; undefined when the site gave no answer (the client recorded why). */
  fetch(path: string, init?: Omit<HttpRequestSpec, 'url'> | { method?: string; headers?: readonly (readonly [string, string])[]; body?: string; redirects?: number }): Promise<ProbeExchange | undefined>;
}

/** A request and its answer. */
export interface ProbeExchange {
  readonly request: HttpRequestSpec;
  readonly response: HttpResponse;
  /** The body as text (latin1-safe), capped by the client. */
  readonly text: string;
}

/** One thing a check found. */
export interface ProbeHit {
  readonly rule: RuleMeta;
  /** What separates two findings of the rule on one site: usually the path. */
  readonly locationKey: string;
  readonly evidence: Evidence;
}

/** One of our own outside-in checks: a plain object in `PROBE_CHECKS`. */
export interface ProbeCheck {
  readonly id: string;
  readonly rules: readonly RuleMeta[];
  run(context: ProbeContext): Promise<ProbeHit[]>;
}

/** Shorthand for a check's rule metadata. */
export function probeRule(meta: Omit<RuleMeta, 'engine' | 'tags' | 'references'> & Partial<Pick<RuleMeta, 'tags' | 'references'>>): RuleMeta {
  return { engine: 'check', tags: [], references: [], ...meta };
}

/** Evidence for an HTTP exchange: the URL, and a short capped description of what proved it. */
export function exchangeEvidence(exchange: ProbeExchange, detail: string): Evidence {
  const line = `${exchange.request.method} ${exchange.response.url} -> ${exchange.response.status}`;
  return { kind: 'http-exchange', url: exchange.response.url, text: `${line}; ${detail}`.slice(0, 600) };
}

/** A hit with the exchange as evidence and the request path as location key. */
export function hitFor(rule: RuleMeta, exchange: ProbeExchange, detail: string, locationKey?: string): ProbeHit {
  return { rule, locationKey: locationKey ?? new URL(exchange.response.url).pathname, evidence: exchangeEvidence(exchange, detail) };
}

/** The first value of a response header. */
export function header(exchange: ProbeExchange, name: string): string | undefined {
  return headerValue(exchange.response.headers, name);
}

/** A short excerpt of hostile text for evidence: control characters removed, capped. */
export function excerpt(text: string, max = 160): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, max);
}
