import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { KevFormatError, parseKev } from './parse-kev.js';

describe('parseKev', () => {
  it('reads the shipped snapshot: version, date, and the entries the advisories name', async () => {
    const catalog = parseKev(await readFile(new URL('../../../content/feeds/kev.json', import.meta.url), 'utf8'));
    expect(catalog.catalogVersion).toBe('2025.08.25');
    expect(catalog.entries.size).toBe(1404);
    expect(catalog.entries.get('CVE-2019-18935')).toMatchObject({ dueDate: '2022-05-03', knownRansomwareCampaignUse: 'Known' });
    expect(catalog.entries.get('CVE-2022-21907')).toBeUndefined();
  });

  it('refuses text that is not the catalogue, or whose count disagrees with its entries', () => {
    expect(() => parseKev('<html>')).toThrow(KevFormatError);
    expect(() => parseKev('{"catalogVersion":"1","dateReleased":"x","count":2,"vulnerabilities":[{"cveID":"CVE-2020-0001","dueDate":"2020-01-01"}]}')).toThrow(/says 2 entries but holds 1/);
    expect(() => parseKev('{"catalogVersion":"1","dateReleased":"x","count":1,"vulnerabilities":[{"cveID":"nope","dueDate":"2020-01-01"}]}')).toThrow(/entry 0/);
  });
});
