import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApache, startNginx, type WebServer } from '../../../test/fixtures/web-servers.js';
import { HttpClient } from '../../engines/http-client/http-client.js';
import { HttpScope } from '../../engines/http-client/http-scope.js';
import { probeTls } from '../../engines/tls-probe/probe-tls.js';
import { httpProbeAnalyzer } from './http-probe-analyzer.js';
import { tlsProbe } from './tls-check.js';

let nginx: WebServer | undefined;
let nginxTls: WebServer | undefined;
let apache: WebServer | undefined;

beforeAll(async () => {
  nginx = await startNginx();
  nginxTls = await startNginx({ tls: true });
  apache = await startApache();
});
afterAll(async () => {
  await nginx?.close();
  await nginxTls?.close();
  await apache?.close();
});

async function scan(url: string, now = new Date()): Promise<Map<string, string[]>> {
  const client = new HttpClient({ scope: new HttpScope([url]), retries: 0 });
  const result = await httpProbeAnalyzer.run({ targets: [url], client, now, extra: [tlsProbe()] }, { signal: new AbortController().signal, evidenceCap: 3 });
  await client.close();
  const byRule = new Map<string, string[]>();
  for (const g of result.groups) byRule.set(g.rule.id, [...(byRule.get(g.rule.id) ?? []), g.locationKey]);
  return byRule;
}

describe('scan against real Debian web servers on loopback', () => {
  it.skipIf(!existsSync('/usr/sbin/nginx'))('nginx: listing and the web.config backup (skipped: nginx is not installed)', async () => {
    const found = await scan(nginx?.url ?? '');
    expect(found.get('w3g-http-directory-listing')).toEqual(expect.arrayContaining(['/files/']));
    expect(found.get('w3g-http-web-config-exposed')).toEqual(['/web.config.bak']);
    // nginx is no IIS: none of the IIS-only checks fire.
    for (const id of ['w3g-http-ms15-034', 'w3g-http-iis-tilde-short-names', 'w3g-http-aspnet-debug-verb', 'w3g-http-trace-enabled']) expect(found.has(id), id).toBe(false);
  });

  it.skipIf(!existsSync('/usr/sbin/apache2'))('apache: TRACE, listing, WebDAV and the web.config backup (skipped: apache2 is not installed)', async () => {
    const found = await scan(apache?.url ?? '');
    expect(found.get('w3g-http-trace-enabled')).toEqual(['/']);
    expect(found.has('w3g-http-webdav-enabled')).toBe(true);
    expect(found.get('w3g-http-directory-listing')).toEqual(expect.arrayContaining(['/files/']));
    expect(found.get('w3g-http-web-config-exposed')).toEqual(['/web.config.bak']);
    expect(found.has('w3g-http-ms15-034')).toBe(false);
  });

  it.skipIf(!existsSync('/usr/sbin/nginx'))('nginx over TLS: legacy protocols, weak suites and the certificate problems (skipped: nginx is not installed)', async () => {
    const found = await scan(nginxTls?.url ?? '');
    expect(found.get('w3g-tls-legacy-protocol')).toEqual(['TLSv1', 'TLSv1.1']);
    expect(found.get('w3g-tls-weak-cipher')).toEqual(expect.arrayContaining(['AES128-SHA', 'AES256-GCM-SHA384']));
    for (const id of ['w3g-tls-certificate-self-signed', 'w3g-tls-certificate-name-mismatch', 'w3g-tls-certificate-weak-key', 'w3g-tls-certificate-expiring']) expect(found.has(id), id).toBe(true);
    const later = await scan(nginxTls?.url ?? '', new Date(Date.now() + 3 * 86_400_000));
    expect(later.has('w3g-tls-certificate-expired')).toBe(true);
  });

  it.skipIf(!existsSync('/usr/sbin/nginx') || !existsSync('/usr/bin/sslscan'))('agrees with sslscan on protocols and suites (skipped: nginx or sslscan is not installed)', async () => {
    const url = new URL(nginxTls?.url ?? '');
    const ours = await probeTls(url.hostname, Number(url.port));
    const xml = execFileSync('sslscan', ['--no-colour', '--xml=-', `${url.hostname}:${url.port}`], { encoding: 'utf8', timeout: 60_000 });
    const theirProtocols = [...xml.matchAll(/<protocol type="(ssl|tls)" version="([\d.]+)" enabled="1"/g)].map((m) => (m[1] === 'ssl' ? `SSLv${m[2] ?? ''}` : m[2] === '1.0' ? 'TLSv1' : `TLSv${m[2] ?? ''}`));
    const theirSuites = new Set([...xml.matchAll(/<cipher status="(?:preferred|accepted)" sslversion="TLSv1\.2"[^>]*cipher="([^"]+)"/g)].map((m) => m[1]));
    // sslscan tries SSLv2/v3 with its own build; this machine's OpenSSL cannot offer SSLv3, so we report it as not tested.
    const comparable = theirProtocols.filter((p) => !p.startsWith('SSL'));
    expect([...ours.protocols].sort()).toEqual(comparable.sort());
    const tested = ours.weakCiphers.length + ours.untestableCiphers.length;
    const differences = ours.weakCiphers.filter((s) => !theirSuites.has(s));
    console.log(`TLS vs sslscan: protocols ours=${ours.protocols.join(',')} sslscan=${theirProtocols.join(',')}; static-RSA suites ours=${ours.weakCiphers.join(',')} (of ${tested}, untestable here: ${ours.untestableCiphers.join(',')}); sslscan accepted ${theirSuites.size} TLS 1.2 suites; suites we saw and sslscan did not: ${differences.join(',') || 'none'}`);
    expect(differences).toEqual([]);
    for (const suite of theirSuites) if (/^(AES\d+-(SHA|GCM)|AES\d+-SHA\d+)/.test(suite ?? '')) expect(ours.weakCiphers.concat(ours.untestableCiphers)).toContain(suite);
  });
});
