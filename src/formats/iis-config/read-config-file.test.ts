import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfigFile } from './read-config-file.js';

describe('readConfigFile', () => {
  let temp: string;
  beforeAll(async () => {
    temp = await mkdtemp(path.join(os.tmpdir(), 'w3guard-read-config-'));
  });
  afterAll(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  it('reads UTF-8 with a BOM and UTF-16 little- and big-endian files', async () => {
    const text = '<?xml version="1.0"?>\r\n<configuration>\r\n  <appSettings />\r\n</configuration>';
    const utf8 = path.join(temp, 'utf8.config');
    await writeFile(utf8, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]));
    const utf16 = path.join(temp, 'utf16.config');
    await writeFile(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const big = Buffer.from(text, 'utf16le');
    big.swap16();
    const utf16be = path.join(temp, 'utf16be.config');
    await writeFile(utf16be, Buffer.concat([Buffer.from([0xfe, 0xff]), big]));
    for (const file of [utf8, utf16, utf16be]) {
      const result = await readConfigFile(file);
      expect('root' in result && result.root.children[0]?.line).toBe(3);
    }
  });

  it('turns oversize, DOCTYPE, malformed and missing files into issues', async () => {
    const file = path.join(temp, 'x.config');
    await writeFile(file, '<configuration/>');
    expect(await readConfigFile(file, 10)).toEqual({ issue: expect.objectContaining({ code: 'config.too-large', path: file }) });
    await writeFile(file, '<!DOCTYPE x [<!ENTITY a "b">]><configuration/>');
    expect(await readConfigFile(file)).toEqual({ issue: expect.objectContaining({ code: 'config.doctype', line: 1 }) });
    await writeFile(file, '<configuration>\n<a>\n</configuration>');
    expect(await readConfigFile(file)).toEqual({ issue: expect.objectContaining({ code: 'config.malformed', line: 3 }) });
    expect(await readConfigFile(path.join(temp, 'missing.config'))).toEqual({ issue: expect.objectContaining({ code: 'config.unreadable' }) });
    expect(await readConfigFile(temp)).toEqual({ issue: expect.objectContaining({ code: 'config.unreadable' }) });
  });

  it('does not block on a FIFO planted under a configuration name', async (context) => {
    const fifo = path.join(temp, 'web.config');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      return context.skip();
    }
    expect(await readConfigFile(fifo)).toEqual({ issue: expect.objectContaining({ code: 'config.unreadable' }) });
  });
});
