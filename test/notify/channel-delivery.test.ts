import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { dispatchNotifications, sendTest } from '../../src/notify/dispatch-notifications.js';
import { NotifyRuntime } from '../../src/notify/send-message.js';
import { writeRunEvents } from '../../src/notify/write-run-events.js';
import type { FindingStore } from '../../src/store/finding-store.js';
import { createChannel, createRule, listDeliveries } from '../../src/store/notify-store.js';
import { finding, HOSTILE, httpSink, notifyDeps, smtpSink, tempStore } from './notify-fixtures.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const { store, cleanup } = await tempStore();
  cleanups.push(cleanup);
  const runtime = new NotifyRuntime();
  cleanups.push(() => runtime.close());
  return { store, deps: { ...notifyDeps(store), now: () => new Date() }, runtime };
}

async function record(store: FindingStore, findings: ReturnType<typeof finding>[]): Promise<void> {
  const now = new Date();
  await store.recordRun({ command: 'scan', toolVersion: '0.1.0', startedAt: now.toISOString(), finishedAt: now.toISOString(), findings, withinTransaction: async (trx, outcome) => void (await writeRunEvents(trx, outcome, { command: 'scan', now })) });
}

/** Decodes quoted-printable (soft line breaks, `=XX` bytes). */
function decodeQuotedPrintable(text: string): string {
  const bytes = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** The parts of a multipart message, by content type, decoded. */
function mimeParts(raw: string): Map<string, string> {
  const boundary = /boundary="?([^";\r\n]+)"?/.exec(raw)?.[1];
  const parts = new Map<string, string>();
  if (boundary === undefined) return parts;
  for (const part of raw.split(`--${boundary}`).slice(1, -1)) {
    const [head = '', ...rest] = part.split(/\r?\n\r?\n/);
    const type = /content-type:\s*([^;\r\n]+)/i.exec(head)?.[1]?.trim() ?? '';
    const body = rest.join('\n\n');
    const encoding = /content-transfer-encoding:\s*(\S+)/i.exec(head)?.[1]?.toLowerCase();
    parts.set(type, encoding === 'quoted-printable' ? decodeQuotedPrintable(body) : encoding === 'base64' ? Buffer.from(body, 'base64').toString('utf8') : body);
  }
  return parts;
}

describe('e-mail channel', () => {
  it('delivers multipart text and HTML through a pooled SMTP transport, escaped, with a clean subject', async () => {
    const { store, deps, runtime } = await setup();
    const smtp = await smtpSink();
    cleanups.unshift(smtp.close);
    const channel = await createChannel(store.database, deps.secretKey, { kind: 'email', name: 'ops', config: { host: '127.0.0.1', port: smtp.port, from: 'w3guard@example.org', to: ['ops@example.org', 'soc@example.org'] }, createdBy: 'admin', now: new Date() });
    await createRule(store.database, { channelId: channel, events: ['finding.created'], mode: 'instant', createdBy: 'admin', now: new Date() });
    await record(store, [finding('fp-1', { label: '3d', title: HOSTILE }), finding('fp-2', { label: '14d' })]);
    expect(await dispatchNotifications(deps, { runtime })).toMatchObject({ sent: 1 });
    expect(smtp.messages).toHaveLength(1);
    const message = smtp.messages[0];
    expect(message?.to).toEqual(['ops@example.org', 'soc@example.org']);
    const raw = message?.raw ?? '';
    const subject = /^Subject: (.*)$/m.exec(raw)?.[1];
    expect(subject).toBe('[w3guard] 2 notifications, most urgent: New finding [3d]');
    expect(raw).not.toMatch(/^Injected: yes/m);
    expect(raw).toMatch(/multipart\/alternative/);
    const parts = mimeParts(raw);
    const html = parts.get('text/html') ?? '';
    const text = parts.get('text/plain') ?? '';
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('https://w3guard.example/findings/fp-1');
    expect(text).toContain('New finding [3d]: <!channel>');
    expect(text).toContain('\\r\\nInjected: yes \\u202eevil');
  });

  it('refuses to send without TLS when requireTLS is set', async () => {
    const { store, deps, runtime } = await setup();
    const smtp = await smtpSink();
    cleanups.unshift(smtp.close);
    const channel = await createChannel(store.database, deps.secretKey, { kind: 'email', name: 'ops', config: { host: '127.0.0.1', port: smtp.port, from: 'w3guard@example.org', to: ['ops@example.org'], requireTLS: true }, createdBy: 'admin', now: new Date() });
    const result = await sendTest(deps, channel, { runtime });
    expect(result?.ok).toBe(false);
    expect(smtp.messages).toHaveLength(0);
    expect((await listDeliveries(store.database))[0]?.state).toBe('dead');
  });
});

describe('syslog channel', () => {
  it('sends octet-counted RFC 5424 messages with CEF over TCP', async () => {
    const { store, deps, runtime } = await setup();
    const received: Buffer[] = [];
    const server = createTcpServer((socket) => socket.on('data', (chunk: Buffer) => received.push(chunk)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const channel = await createChannel(store.database, deps.secretKey, { kind: 'syslog', name: 'siem', config: { host: '127.0.0.1', port, transport: 'tcp', hostname: 'w3g' }, createdBy: 'admin', now: new Date() });
    await createRule(store.database, { channelId: channel, events: ['finding.created'], mode: 'instant', createdBy: 'admin', now: new Date() });
    await record(store, [finding('fp-1', { label: '3d', title: HOSTILE }), finding('fp-2', { label: '14d', title: 'plain é' })]);
    expect(await dispatchNotifications(deps, { runtime })).toMatchObject({ sent: 1 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Parse the octet-counting framing: LEN SP MSG, repeated, lengths in bytes.
    const stream = Buffer.concat(received);
    const messages: string[] = [];
    let offset = 0;
    while (offset < stream.length) {
      const space = stream.indexOf(0x20, offset);
      const length = Number(stream.subarray(offset, space).toString('ascii'));
      expect(Number.isInteger(length) && length > 0).toBe(true);
      messages.push(stream.subarray(space + 1, space + 1 + length).toString('utf8'));
      offset = space + 1 + length;
    }
    expect(offset).toBe(stream.length);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/^<107>1 \S+ w3g w3guard \d+ finding.created \[w3guard@32473 event="finding.created" id="evt_\d+" label="3d"\] CEF:0\|w3guard\|w3guard\|/);
    expect(messages[0]).not.toMatch(/[\r\n\u202e]/);
    expect(messages[0]).toContain('a|b\\=c\\\\d');
    expect(messages[1]).toContain('plain é');
  });
});

describe('Slack and Teams channels', () => {
  it('post Block Kit and Adaptive Cards, escaping mention injection', async () => {
    const { store, deps, runtime } = await setup();
    const sink = await httpSink([{ status: 200, body: 'ok' }]);
    cleanups.push(sink.close);
    const slack = await createChannel(store.database, deps.secretKey, { kind: 'slack', name: 'soc', config: { url: `${sink.url}/slack` }, createdBy: 'admin', now: new Date() });
    const teams = await createChannel(store.database, deps.secretKey, { kind: 'teams', name: 'ops', config: { url: `${sink.url}/teams` }, createdBy: 'admin', now: new Date() });
    for (const channelId of [slack, teams]) await createRule(store.database, { channelId, events: ['finding.created'], mode: 'instant', createdBy: 'admin', now: new Date() });
    await record(store, [finding('fp-1', { label: '3d', title: HOSTILE })]);
    expect(await dispatchNotifications(deps, { runtime })).toMatchObject({ sent: 2 });
    const slackBody = sink.received.find((r) => r.path.endsWith('/slack'))?.body ?? '';
    const teamsBody = sink.received.find((r) => r.path.endsWith('/teams'))?.body ?? '';
    expect(JSON.parse(slackBody)).toHaveProperty('blocks');
    expect(slackBody).not.toContain('<!channel>');
    expect(slackBody).toContain('&lt;!channel&gt;');
    expect(JSON.parse(teamsBody)).toMatchObject({ type: 'message', attachments: [{ content: { version: '1.2' } }] });
    expect(teamsBody).not.toContain('[x](http://evil.example)');
  });

  it('treats "HTTP error 429" in a Teams answer as throttling', async () => {
    const { store, deps, runtime } = await setup();
    const sink = await httpSink([{ status: 200, body: 'Microsoft Teams endpoint returned HTTP error 429' }]);
    cleanups.push(sink.close);
    const teams = await createChannel(store.database, deps.secretKey, { kind: 'teams', name: 'ops', config: { url: sink.url }, createdBy: 'admin', now: new Date() });
    expect(await sendTest(deps, teams, { runtime })).toMatchObject({ ok: false, status: 429 });
  });
});

describe('syslog over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'w3g-tls-'));
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(made.status !== 0)('verifies the collector against the configured CA and sends framed messages', async () => {
    const { store, deps, runtime } = await setup();
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const received: Buffer[] = [];
    const server = createTlsServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (socket) => socket.on('data', (chunk: Buffer) => received.push(chunk)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const trusted = await createChannel(store.database, deps.secretKey, { kind: 'syslog', name: 'siem', config: { host: '127.0.0.1', port, transport: 'tls', ca: cert }, createdBy: 'admin', now: new Date() });
    const untrusted = await createChannel(store.database, deps.secretKey, { kind: 'syslog', name: 'other', config: { host: '127.0.0.1', port, transport: 'tls' }, createdBy: 'admin', now: new Date() });
    expect(await sendTest(deps, trusted, { runtime })).toMatchObject({ ok: true });
    const refused = await sendTest(deps, untrusted, { runtime });
    expect(refused?.ok).toBe(false);
    expect(refused?.error).toMatch(/certificate/i);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const text = Buffer.concat(received).toString('utf8');
    expect(text).toMatch(/^\d+ <\d+>1 .* test \[w3guard@32473 event="test" id="evt_test_[0-9a-f]+"\] CEF:0\|w3guard\|w3guard\|/);
  });
});
