// Nuclei's own HTTP integration templates, run against servers that answer the way the servers in
// internal/tests/integration/http_test.go of projectdiscovery/nuclei do, with the result counts expected
// there. The templates are read from ../shared/eval at run time; nothing of Nuclei is copied here.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { HttpClient } from '../http-client/http-client.js';
import { HttpScope } from '../http-client/http-scope.js';
import { compileHttpTemplate } from './compile-http-template.js';
import { runHttpTemplate, type TemplateResult, type TemplateRunOptions } from './run-http-template.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DIR = path.resolve(REPO, '../shared/eval/nuclei/engine-integration/internal/tests/integration/testdata/protocols/http');

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}
type Handler = (req: Seen, res: ServerResponse) => void;

interface Case {
  readonly files: readonly string[];
  readonly handler?: Handler;
  readonly suffix?: string;
  readonly expect?: number;
  readonly options?: TemplateRunOptions;
  readonly check?: (seen: readonly Seen[], results: readonly TemplateResult[], base: string) => void;
  /** Why this engine does not run the case. */
  readonly unsupported?: string;
}

const text = (res: ServerResponse, body: string, status = 200, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
};
const redirect = (res: ServerResponse, to: string, status = 302): void => {
  res.writeHead(status, { Location: to });
  res.end();
};
const query = (req: Seen): URLSearchParams => new URL(req.url, 'http://x').searchParams;
const form = (req: Seen): URLSearchParams => new URLSearchParams(req.body);
const pathOf = (req: Seen): string => req.url.split('?')[0] ?? '';
const referencePaths = (file: string): string[] => ((parse(readFileSync(path.join(DIR, file), 'utf8')) as { info: { reference: string[] } }).info.reference);

const CASES: readonly Case[] = [
  { files: ['get-headers.yaml'], expect: 1, handler: (req, res) => text(res, String(req.headers['test']).toLowerCase() === 'nuclei' ? 'This is test headers matcher text' : '') },
  { files: ['get-query-string.yaml'], expect: 1, handler: (req, res) => text(res, query(req).get('test') === 'nuclei' ? 'This is test querystring matcher text' : '') },
  { files: ['get-redirects.yaml'], expect: 1, handler: (req, res) => (pathOf(req) === '/' ? redirect(res, '/redirected') : text(res, 'This is test redirects matcher text')) },
  {
    files: ['get-host-redirects.yaml'],
    expect: 1,
    handler: (req, res) => {
      const p = pathOf(req);
      if (p === '/') return redirect(res, '/redirected1');
      if (p === '/redirected1') return redirect(res, 'redirected2');
      if (p === '/redirected2') return redirect(res, '/redirected3');
      return redirect(res, 'https://scanme.sh', 307);
    },
  },
  { files: ['disable-redirects.yaml'], expect: 0, options: { disableRedirects: true }, handler: (req, res) => (pathOf(req) === '/' ? redirect(res, '/redirected', 301) : text(res, 'This is test redirects matcher text')) },
  { files: ['get.yaml'], expect: 1, handler: (_req, res) => text(res, 'This is test matcher text') },
  { files: ['post-body.yaml'], expect: 1, handler: (req, res) => text(res, req.method === 'POST' && form(req).get('username') === 'test' && form(req).get('password') === 'nuclei' ? 'This is test post-body matcher text' : '') },
  {
    files: ['post-json-body.yaml'],
    expect: 1,
    handler: (req, res) => {
      const doc = JSON.parse(req.body || '{}') as { username?: string; password?: string };
      text(res, doc.username === 'test' && doc.password === 'nuclei' ? 'This is test post-json-body matcher text' : '');
    },
  },
  {
    files: ['post-multipart-body.yaml'],
    expect: 1,
    handler: (req, res) => {
      const ok = /name="username"; filename="username"/.test(req.body) && /name="password"\r?\n\r?\nnuclei\r?\n/.test(req.body);
      text(res, ok ? 'This is test post-multipart matcher text' : '');
    },
  },
  {
    files: ['raw-cookie-reuse.yaml'],
    expect: 1,
    handler: (req, res) => {
      if (req.method === 'POST') return text(res, '', 200, form(req).get('testing') === 'parameter' ? { 'Set-Cookie': 'nuclei=test' } : {});
      text(res, /(^|;\s*)nuclei=test(;|$)/.test(String(req.headers.cookie ?? '')) ? 'Test is test-cookie-reuse matcher text' : '');
    },
  },
  {
    files: ['raw-dynamic-extractor.yaml'],
    expect: 1,
    handler: (req, res) => {
      if (req.method === 'POST') return text(res, form(req).get('testing') === 'parameter' ? "Token: 'nuclei'" : '');
      text(res, query(req).get('username') === 'nuclei' ? 'Test is test-dynamic-extractor-raw matcher text' : '');
    },
  },
  { files: ['raw-get-query.yaml'], expect: 1, handler: (req, res) => text(res, query(req).get('test') === 'nuclei' ? 'Test is test raw-get-query-matcher text' : '') },
  { files: ['raw-get.yaml'], expect: 1, handler: (_req, res) => text(res, 'Test is test raw-get-matcher text') },
  ...['raw-with-params.yaml', 'raw-unsafe-with-params.yaml'].map(
    (file): Case => ({
      files: [file],
      expect: 1,
      suffix: '/?key1=value1',
      handler: (_req, res) => text(res, 'Test is test raw-params-matcher text'),
      check: (seen) => {
        for (const req of seen) {
          expect(query(req).getAll('key1')).toEqual(['value1']);
          expect(query(req).getAll('key2')).toEqual(['value2']);
        }
      },
    }),
  ),
  { files: ['raw-path-trailing-slash.yaml'], handler: (_req, res) => text(res, ''), check: (seen) => expect(seen.map((s) => s.url)).toContain('/test/..;/..;/') },
  {
    files: ['raw-payload.yaml'],
    expect: 2,
    handler: (req, res) => {
      const header = String(req.headers['another_header'] ?? '');
      const ok = ['bnVjbGVp', 'Z3Vlc3Q='].includes(header) && form(req).get('username') === 'test' && ['nuclei', 'guest'].includes(form(req).get('password') ?? '');
      text(res, ok ? 'Test is raw-payload matcher text' : '');
    },
  },
  { files: ['raw-post-body.yaml'], expect: 1, handler: (req, res) => text(res, form(req).get('username') === 'test' && form(req).get('password') === 'nuclei' ? 'Test is test raw-post-body-matcher text' : '') },
  { files: ['raw-unsafe-path.yaml'], handler: (_req, res) => text(res, ''), check: (seen) => expect(seen.map((s) => s.url)).toEqual(referencePaths('raw-unsafe-path.yaml')), unsupported: 'unsafe raw requests go through the HTTP client, which refuses paths without a leading "/" and raw control characters' },
  { files: ['http-paths.yaml'], handler: (_req, res) => text(res, ''), check: (seen) => expect(seen.map((s) => s.url)).toEqual(referencePaths('http-paths.yaml')) },
  ...['request-condition.yaml', 'request-condition-new.yaml'].map((file): Case => ({ files: [file], expect: 1, handler: (req, res) => text(res, '', pathOf(req) === '/200' ? 200 : pathOf(req) === '/400' ? 400 : 404) })),
  { files: ['get-case-insensitive.yaml'], expect: 1, handler: (_req, res) => text(res, 'THIS IS TEST MATCHER TEXT') },
  // Two templates asking the same thing: both results, one request on the wire.
  { files: ['get.yaml', 'get-case-insensitive.yaml'], expect: 2, handler: (_req, res) => text(res, 'This is test matcher text'), check: (seen) => expect(seen).toHaveLength(1) },
  { files: ['get-redirects-chain-headers.yaml'], expect: 1, unsupported: 'matchers see the final response of a redirect chain, not the headers and status of each hop' },
  { files: ['dsl-matcher-variable.yaml'], expect: 5, handler: (_req, res) => text(res, 'This is test matcher text') },
  { files: ['dsl-functions.yaml'], expect: 1, unsupported: 'uses all 88 Nuclei helper functions; about 60 common ones are implemented' },
  { files: ['race-simple.yaml'], unsupported: 'race requests' },
  { files: ['race-multiple.yaml'], unsupported: 'race requests' },
  { files: ['race-condition-with-delay.yaml'], unsupported: 'race requests' },
  { files: ['race-with-variables.yaml'], unsupported: 'race requests' },
  { files: ['stop-at-first-match.yaml'], expect: 1, handler: (_req, res) => text(res, 'This is test') },
  { files: ['stop-at-first-match-with-extractors.yaml'], expect: 2, handler: (_req, res) => text(res, 'This is test') },
  { files: ['variables.yaml'], expect: 1, handler: (req, res) => text(res, `${String(req.headers['test'])}\n${String(req.headers['another'])}\n${String(req.headers['email'])}`) },
  { files: ['variables.yaml'], expect: 0, options: { vars: new Map([['a1', 'failed']]) }, handler: (req, res) => text(res, `${String(req.headers['test'])}\n${String(req.headers['another'])}\n${String(req.headers['email'])}`) },
  { files: ['variables-threads-previous.yaml'], expect: 1, handler: (req, res) => text(res, pathOf(req) === '/login' ? 'token=secret123' : String(req.headers.authorization ?? '')) },
  {
    files: ['variable-dsl-function.yaml'],
    expect: 2,
    handler: (_req, res) => text(res, ''),
    check: (_seen, results) => expect(results[0]?.request.url).toBe(results[1]?.request.url),
  },
  { files: ['get-override-sni.yaml'], unsupported: 'per-request SNI override' },
  { files: ['get-sni.yaml'], unsupported: 'per-request SNI override (-sni)' },
  { files: ['get-sni-unsafe.yaml'], unsupported: 'per-request SNI override (-sni)' },
  { files: ['redirect-match-url.yaml'], expect: 1, handler: (req, res) => (pathOf(req) === '/' ? redirect(res, '/redirected') : text(res, 'This is test redirects matcher text')), check: (_s, results, base) => expect(results[0]?.url).toBe(`${base}/redirected`) },
  { files: ['annotation-timeout.yaml'], unsupported: 'request annotations (@timeout)' },
  { files: ['custom-attack-type.yaml'], options: { attack: 'clusterbomb' }, handler: (_req, res) => text(res, 'This is test custom payload'), check: (seen) => expect(seen).toHaveLength(4) },
  { files: ['get-all-ips.yaml'], unsupported: 'needs a public host (-scan-all-ips); scan contacts only named hosts' },
  { files: ['get-without-scheme.yaml'], unsupported: 'needs a public host (scanme.sh)' },
  { files: ['cl-body-without-header.yaml'], unsupported: 'a response with Content-Length -1 is a transport error for the client' },
  { files: ['cl-body-with-header.yaml'], unsupported: 'a body shorter than its Content-Length is a transport error for the client' },
  { files: ['cli-with-constants.yaml'], expect: 1, options: { vars: new Map([['test', 'fromcli']]) }, handler: (req, res) => text(res, query(req).get('p') ?? '') },
  { files: ['constants-with-threads.yaml'], expect: 1, handler: (req, res) => text(res, `${String(req.headers['x-api-key'])} ${pathOf(req).split('/').pop() ?? ''}`) },
  { files: ['matcher-status.yaml'], unsupported: '-ms (report failed matches) is an output option' },
  {
    files: ['disable-path-automerge.yaml'],
    expect: 2,
    suffix: '/api/v1/user',
    handler: (req, res) => (pathOf(req) === '/api/v1/test' ? text(res, query(req).get('id') ?? '') : pathOf(req) === '/' ? text(res, 'empty path in raw request') : text(res, '', 404)),
  },
  { files: ['http-preprocessor.yaml'], expect: 1, handler: (req, res) => (/[A-Za-z0-9]{25,}/.test(req.url) ? text(res, 'ok') : text(res, 'not ok', 400)) },
  { files: ['multi-request.yaml'], expect: 1, handler: (req, res) => text(res, pathOf(req) === '/ping' ? 'ping' : pathOf(req) === '/pong' ? 'pong' : '', 200) },
  {
    files: ['http-matcher-extractor-dy-extractor.yaml'],
    expect: 1,
    handler: (req, res) => text(res, pathOf(req) === '/domains' ? '<html><head><title>Dynamic Extractor Test</title></head><body></body></html>' : '<html><body><a href="/domains">Domains</a></body></html>'),
  },
  { files: ['multi-http-var-sharing.yaml'], unsupported: 'needs a public host (scanme.sh)' },
  { files: ['response-data-literal-reuse.yaml'], expect: 1, handler: (req, res) => (pathOf(req) === '/echo' ? text(res, '', query(req).get('x') === '{{md5("Hello")}}' ? 200 : 400) : text(res, '{{md5("Hello")}}')) },
  ...['raw-path-single-slash.yaml', 'raw-unsafe-path-single-slash.yaml'].map((file): Case => ({ files: [file], suffix: '/index.php', handler: (_req, res) => text(res, ''), check: (seen) => expect(seen.map((s) => s.url)).toEqual(['/index.php']) })),
  ...['interactsh.yaml', 'interactsh-with-payloads.yaml', 'interactsh-stop-at-first-match.yaml', 'interactsh-requests-mc-and.yaml', 'default-matcher-condition.yaml'].map((file): Case => ({ files: [file], unsupported: 'out-of-band (interactsh) checks' })),
  ...['self-contained.yaml', 'self-contained-with-path.yaml', 'self-contained-with-params.yaml', 'self-contained-file-input.yaml'].map((file): Case => ({ files: [file], unsupported: 'self-contained templates name their own hosts; scan contacts only named targets' })),
];

const rows: string[] = [];

describe.skipIf(!existsSync(DIR))('Nuclei HTTP integration templates (skipped: ../shared/eval/nuclei is absent)', () => {
  for (const testCase of CASES) {
    const label = testCase.files.join(' + ') + (testCase.options?.vars !== undefined ? ' (-var)' : '');
    if (testCase.unsupported !== undefined || testCase.handler === undefined) {
      it(`${label}: not supported`, () => {
        rows.push(`| ${label} | not supported: ${testCase.unsupported ?? 'no local server'} |`);
      });
      continue;
    }
    const handler = testCase.handler;
    it(label, async () => {
      const seen: Seen[] = [];
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const record = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('latin1') };
          seen.push(record);
          handler(record, res);
        });
      });
      await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const client = new HttpClient({ scope: new HttpScope([base]), retries: 0 });
      try {
        const results: TemplateResult[] = [];
        for (const file of testCase.files) {
          const compiled = compileHttpTemplate(readFileSync(path.join(DIR, file), 'utf8'), file);
          expect(compiled.template, JSON.stringify(compiled.diagnostics)).toBeDefined();
          if (compiled.template === undefined) return;
          const run = await runHttpTemplate(compiled.template, base + (testCase.suffix ?? ''), client, testCase.options);
          results.push(...run.results);
        }
        if (testCase.expect !== undefined) expect(results, JSON.stringify(results.map((r) => r.url))).toHaveLength(testCase.expect);
        testCase.check?.(seen, results, base);
        rows.push(`| ${label} | passed |`);
      } catch (error) {
        rows.push(`| ${label} | FAILED |`);
        throw error;
      } finally {
        await client.close();
        server.closeAllConnections();
        await new Promise((done) => server.close(done));
      }
    });
  }

  it('every integration template is accounted for', () => {
    const covered = new Set(CASES.flatMap((c) => c.files));
    const missing = ['raw-unsafe-request.yaml', 'matcher-status-and.yaml', 'matcher-status-and-cluster.yaml'];
    for (const file of missing) rows.push(`| ${file} | not run: no server for it in http_test.go |`);
    const all = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
    expect(all.filter((f) => !covered.has(f) && !missing.includes(f))).toEqual([]);
  });

  // Runs last (tests in a file run in order): prints the table into the test output.
  it('prints the conformance table', () => {
    const passed = rows.filter((r) => r.includes('| passed')).length;
    console.log(`Nuclei HTTP conformance: ${passed} passed of ${rows.length} cases\n| template | result |\n| --- | --- |\n${rows.join('\n')}`);
    expect(rows.filter((r) => r.includes('FAILED'))).toEqual([]);
  });
});
