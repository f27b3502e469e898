import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { externalScriptHosts, HEAD_BYTES, scanFile } from './scan-file.js';

const base = mkdtempSync(path.join(tmpdir(), 'w3g-scan-file-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('scanFile', () => {
  it('reads at most maxBytes, hashes what it read, and keeps the head', () => {
    const file = path.join(base, 'big.bin');
    writeFileSync(file, Buffer.alloc(5000, 0x41));
    const scan = scanFile(file, 5000, undefined, { maxBytes: 2048, hash: true });
    expect(scan).toMatchObject({ scannedBytes: 2048, truncated: true });
    expect(scan.head).toHaveLength(HEAD_BYTES);
    expect(scan.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(scanFile(file, 5000, undefined, { maxBytes: 2048, hash: false }).sha256).toBeUndefined();
  });

  it('says why a file cannot be read instead of throwing', () => {
    expect(scanFile(path.join(base, 'missing.aspx'), 10, undefined, { maxBytes: 100, hash: false }).error).toMatch(/ENOENT/);
  });

  it('lists external script hosts of master pages, layouts and header includes only', () => {
    const page = '<script src="https://js.example-cdn.test/a.js"></script><script src="/local.js"></script><script async src=//stats.example.test/s.js></script>';
    mkdirSync(path.join(base, 'inc'), { recursive: true });
    for (const name of ['Site.Master', 'Views/Shared/_Layout.cshtml', 'inc/header.asp', 'index.htm']) {
      mkdirSync(path.dirname(path.join(base, name)), { recursive: true });
      writeFileSync(path.join(base, name), page);
    }
    const hosts = (name: string): readonly string[] | undefined => scanFile(path.join(base, name), page.length, undefined, { maxBytes: 1 << 20, hash: false }).scriptHosts;
    expect(hosts('Site.Master')).toEqual(['js.example-cdn.test', 'stats.example.test']);
    expect(hosts('Views/Shared/_Layout.cshtml')).toEqual(['js.example-cdn.test', 'stats.example.test']);
    expect(hosts('inc/header.asp')).toEqual(['js.example-cdn.test', 'stats.example.test']);
    expect(hosts('index.htm')).toBeUndefined();
    expect(externalScriptHosts('<SCRIPT type="text/javascript" SRC="HTTP://Evil.Example/x.js">')).toEqual(['evil.example']);
  });
});
