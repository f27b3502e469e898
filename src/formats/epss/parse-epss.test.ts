import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { EpssFormatError, parseEpss } from './parse-epss.js';

const fixture = (name: string): Promise<string> => readFile(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

describe('parseEpss', () => {
  it("reads FIRST's layout: the model and score date comment, the header, one row per CVE", async () => {
    const parsed = parseEpss(await fixture('happy/epss-sample.csv'));
    expect(parsed.modelVersion).toBe('v2025.03.14');
    expect(parsed.scoreDate).toBe('2025-08-25');
    expect(parsed.scores.size).toBe(1009);
    expect(parsed.scores.get('CVE-2021-44228')).toEqual({ epss: 0.94358, percentile: 0.99957 });
  });

  it('accepts a file without the comment line', () => {
    expect(parseEpss('cve,epss,percentile\nCVE-2020-0001,0.1,0.5\n').scores.size).toBe(1);
  });

  it.each(['sad/no-header.csv', 'sad/bad-row.csv', 'sad/out-of-range.csv'])('refuses %s', async (name) => {
    expect(() => parseEpss('')).toThrow(EpssFormatError);
    await expect(fixture(name).then(parseEpss)).rejects.toThrow(EpssFormatError);
  });
});
