import { Agent, request } from 'undici';
import { guardedLookup, type OutboundPolicy } from '../outbound-policy.js';
import type { SendResult } from './channel-sender.js';

/** Receivers get this long to answer (Standard Webhooks: 15–30 s). */
export const HTTP_TIMEOUT_MS = 15_000;

const agents = new WeakMap<OutboundPolicy, Agent>();

/** One connection pool per policy, whose DNS lookups refuse denied addresses. */
function agentFor(policy: OutboundPolicy): Agent {
  let agent = agents.get(policy);
  if (agent === undefined) {
    agent = new Agent({ connect: { lookup: guardedLookup(policy), timeout: HTTP_TIMEOUT_MS }, headersTimeout: HTTP_TIMEOUT_MS, bodyTimeout: HTTP_TIMEOUT_MS });
    agents.set(policy, agent);
  }
  return agent;
}

/**
 * POSTs a JSON body and reports how the receiver answered. Redirects are never followed (a 3xx is a failure:
 * a receiver must not bounce signed payloads elsewhere). The answer's body is read (at most 4 KiB kept) so the
 * connection can be reused and failures can say why.
 */
export async function postJson(url: string, body: string, headers: Readonly<Record<string, string>>, policy: OutboundPolicy, timeoutMs = HTTP_TIMEOUT_MS): Promise<SendResult & { readonly text?: string }> {
  const host = new URL(url).hostname;
  const why = policy.deny(host);
  if (why !== undefined) return { ok: false, error: `refused: ${why}`, permanent: true };
  try {
    const response = await request(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
      dispatcher: agentFor(policy),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await readCapped(response.body, 4096);
    const status = response.statusCode;
    const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
    const ok = status >= 200 && status < 300;
    return {
      ok,
      status,
      text,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(status === 410 ? { gone: true } : {}),
      ...(ok ? {} : { error: `the receiver answered HTTP ${status}` }),
    };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: code === 'EW3GPOLICY' ? message : `cannot reach the receiver: ${message}`, ...(code === 'EW3GPOLICY' ? { permanent: true } : {}) };
  }
}

async function readCapped(body: AsyncIterable<Buffer>, max: number): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < max) parts.push(chunk.subarray(0, max - size));
    size += chunk.length;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(date - now, 0);
}
