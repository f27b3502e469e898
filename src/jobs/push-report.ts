import { randomUUID } from 'node:crypto';

/** A push the server refused (a 4xx other than 429), or one that never got through. */
export class PushError extends Error {
  readonly status?: number;

  constructor(message: string, status?: number, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PushError';
    if (status !== undefined) this.status = status;
  }
}

/** How to push. */
export interface PushOptions {
  /** The server (https://w3guard.example) or its reports endpoint. */
  readonly url: string;
  readonly token: string;
  readonly signal?: AbortSignal;
  /** Tries after the first on network errors, 5xx and 429. */
  readonly retries?: number;
  /** The first wait, in milliseconds; doubled each time, or what Retry-After asks (capped at `maxDelayMs`). */
  readonly delayMs?: number;
  readonly maxDelayMs?: number;
  /** Told of each wait, for the command's stderr. */
  readonly onRetry?: (attempt: number, waitMs: number, why: string) => void;
}

/** The reports endpoint of a server URL. */
export function reportsEndpoint(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new PushError(`--push takes an http(s) URL, not ${JSON.stringify(url)}.`);
  if (/\/api\/v1\/reports\/?$/.test(parsed.pathname)) return parsed.toString();
  parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}/api/v1/reports`;
  return parsed.toString();
}

/** Seconds or an HTTP date in Retry-After, as milliseconds from now. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * POSTs a JSON report to the server with `Authorization: Bearer`, and returns the run id it answers. Network
 * errors, 5xx and 429 are retried with exponential back-off (honouring Retry-After); every try carries the same
 * `Idempotency-Key`, so a try that reached the server before its answer was lost records nothing twice.
 */
export async function pushReport(body: string, options: PushOptions): Promise<number> {
  const endpoint = reportsEndpoint(options.url);
  const key = randomUUID();
  const retries = options.retries ?? 5;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  for (let attempt = 1; ; attempt += 1) {
    let why: string;
    let wait: number | undefined;
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}`, 'idempotency-key': key },
        body,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      const text = await response.text();
      if (response.ok) {
        const runId = (JSON.parse(text) as { runId?: unknown }).runId;
        if (typeof runId !== 'number') throw new PushError(`the server at ${endpoint} answered ${response.status} without a run id.`);
        return runId;
      }
      const message = serverMessage(text);
      if (response.status !== 429 && response.status < 500) throw new PushError(`the server refused the report (${response.status}): ${message}`, response.status);
      why = `${response.status} ${message}`;
      wait = retryAfterMs(response.headers.get('retry-after'));
    } catch (error) {
      if (error instanceof PushError || options.signal?.aborted === true) throw error;
      why = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    }
    if (attempt > retries) throw new PushError(`cannot push the report to ${endpoint} after ${attempt} tries: ${why}`);
    const waitMs = Math.min(maxDelayMs, wait ?? (options.delayMs ?? 1000) * 2 ** (attempt - 1));
    options.onRetry?.(attempt, waitMs, why);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

/** The API's `{"error": {"message"}}`, or the start of whatever else came back. */
function serverMessage(text: string): string {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string') return message;
  } catch {
    // Not the API's JSON: a proxy's page, shown in part.
  }
  return text.slice(0, 200).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim() || 'no message';
}
