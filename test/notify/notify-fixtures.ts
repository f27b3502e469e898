import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Server as TcpServer } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../../src/core/finding.js';
import type { PriorityLabel } from '../../src/core/priority.js';
import type { Severity } from '../../src/core/severity.js';
import type { NotifyDeps } from '../../src/notify/dispatch-notifications.js';
import type { FindingStore } from '../../src/store/finding-store.js';
import { openStore } from '../../src/store/open-store.js';

/** A hostile title: mention injection, markup, CR/LF, CEF and syslog specials, bidi controls, and length. */
export const HOSTILE = `<!channel> <@U123> <script>alert(1)</script> a|b=c\\d "q" ] \r\nInjected: yes \u202eevil\u202c [x](http://evil.example) *bold*`;

export function finding(fingerprint: string, options: { readonly label?: PriorityLabel; readonly severity?: Severity; readonly title?: string; readonly asset?: string; readonly ruleId?: string; readonly dueAt?: string } = {}): Finding {
  return {
    fingerprint,
    ruleId: options.ruleId ?? 'rule-1',
    engine: 'test',
    title: options.title ?? `Finding ${fingerprint}`,
    description: 'description',
    severity: options.severity ?? 'high',
    confidence: 'firm',
    category: 'test',
    asset: options.asset ?? 'host-a',
    locationKey: fingerprint,
    tags: [],
    references: [],
    occurrences: 1,
    evidence: [],
    ...(options.label === undefined
      ? {}
      : { priority: { label: options.label, score: 50, confidence: 1, modifiers: [], inputs: [], ...(options.dueAt === undefined ? {} : { dueAt: options.dueAt }) }, risk: 50 }),
  };
}

/** A store in a fresh temp folder (SQLite) or in the given PostgreSQL URL. */
export async function tempStore(url?: string): Promise<{ store: FindingStore; cleanup: () => Promise<void> }> {
  if (url !== undefined) {
    const store = await openStore(url);
    return { store, cleanup: () => store.close() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'w3g-notify-'));
  const store = await openStore(join(dir, 'store.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Deps with a movable clock. */
export function notifyDeps(store: FindingStore, start = new Date('2026-11-30T08:00:00Z')): NotifyDeps & { setNow(date: Date): void } {
  let now = start;
  return { store, now: () => now, publicUrl: 'https://w3guard.example', secretKey: randomBytes(32), setNow: (date: Date) => (now = date) };
}

export interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly at: number;
  readonly path: string;
}

/** A loopback HTTP receiver answering from a script of statuses (the last repeats). */
export async function httpSink(script: readonly { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string }[] = [{ status: 200 }]): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now(), path: request.url ?? '' });
      const answer = script[Math.min(received.length - 1, script.length - 1)] ?? { status: 200 };
      response.writeHead(answer.status, answer.headers ?? {});
      response.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

/** A real SMTP server on loopback that keeps every message it is given. */
export async function smtpSink(): Promise<{ port: number; messages: { from: string; to: string[]; raw: string }[]; close: () => Promise<void> }> {
  const messages: { from: string; to: string[]; raw: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push({ from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = (server as unknown as { server: TcpServer }).server.address() as AddressInfo;
  // Close it last, after the pooled transport let go of its connections.
  return { port: address.port, messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
