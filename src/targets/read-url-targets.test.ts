import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from './input-error.js';
import { normalizeTarget, readUrlTargets, TargetError } from './read-url-targets.js';

describe('readUrlTargets', () => {
  it('normalizes URLs and bare hosts, drops duplicates, and reports bad list lines with their line number', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'w3g-targets-'));
    const list = path.join(dir, 'sites.txt');
    await writeFile(list, '# fleet\nportal.example.com\n\nhttp://mail.example.com:8080/owa/\nftp://nope.example.com\nhttps://portal.example.com/\n');
    const targets = await readUrlTargets(['https://PORTAL.example.com/'], list);
    expect(targets.urls).toEqual(['https://portal.example.com', 'http://mail.example.com:8080/owa']);
    expect(targets.issues).toEqual([expect.objectContaining({ code: 'target.invalid', path: list, line: 5 })]);
  });

  it('refuses a bad URL on the command line and a missing list', async () => {
    await expect(readUrlTargets(['ftp://x'], undefined)).rejects.toBeInstanceOf(TargetError);
    await expect(readUrlTargets([], 'no/such/list.txt')).rejects.toBeInstanceOf(InputError);
    expect(normalizeTarget('https://user:pw@host')).toBeUndefined();
  });
});
