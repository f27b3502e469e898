import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Asset } from '../core/asset.js';
import { assetSettings, HostConfigError, parseHostConfig } from './read-host-config.js';

const ASSETS: Asset[] = [
  { id: 'WEB07', kind: 'host' },
  { id: 'WEB07/W3SVC3', kind: 'site', name: 'Shop', parent: 'WEB07' },
  { id: 'WEB07/W3SVC3/api', kind: 'application', name: 'Shop/api', parent: 'WEB07/W3SVC3' },
  { id: 'WEB07/apppool/ShopPool', kind: 'app-pool', name: 'ShopPool', parent: 'WEB07' },
];

describe('w3guard.yaml', () => {
  it('inherits host → site → application: nearest criticality and exposure, tags and owners added up', () => {
    const config = parseHostConfig(
      ['host: WEB07', 'assets:', '  WEB07:', '    criticality: medium', '    exposure: internal', '    owners: [ops]', '  shop:', '    exposure: internet', '    tags: [pci]', '  WEB07/W3SVC3/api:', '    criticality: critical', '    owners: [api-team]', '  Elsewhere:', '    tags: [x]', ''].join('\n'),
      'w3guard.yaml',
    );
    expect(config.host).toBe('WEB07');
    const { lookup, issues } = assetSettings(config, ASSETS);
    expect(lookup('WEB07/W3SVC3/api')).toEqual({ criticality: 'critical', exposure: 'internet', tags: ['pci'], owners: ['ops', 'api-team'] });
    expect(lookup('WEB07/W3SVC3')).toEqual({ criticality: 'medium', exposure: 'internet', tags: ['pci'], owners: ['ops'] });
    expect(lookup('WEB07/apppool/ShopPool')).toEqual({ criticality: 'medium', exposure: 'internal', owners: ['ops'] });
    expect(lookup('unknown')).toBeUndefined();
    expect(issues).toEqual([{ code: 'config.asset-unknown', message: expect.stringContaining('"Elsewhere"') as string, path: 'w3guard.yaml', line: 13 }]);
  });

  it.each([
    ['hosts: WEB07\n', 'w.yaml:1: unknown key "hosts"'],
    ['assets:\n  Shop:\n    criticality: severe\n', 'w.yaml:3: criticality must be one of low, medium, high, critical'],
    ['assets:\n  Shop:\n    exposure: dmz\n', 'w.yaml:3: exposure must be one of internet, internal'],
    ['assets:\n  Shop:\n    tags: pci\n', 'w.yaml:3: tags must be a list of strings'],
    ['assets:\n  Shop:\n    owner: [a]\n', 'w.yaml:3: unknown key "owner" under "Shop"'],
    ['host: "../../etc"\n', 'w.yaml:1: "host" must be a computer name'],
    ['assets: [a, b]\n', 'w.yaml:1: "assets" must map'],
    ['assets:\n  Shop: {\n', 'w.yaml:'],
    ['- a\n- b\n', 'w.yaml:1: the file must be a mapping'],
  ])('refuses %j with file and line', (text, message) => {
    expect(() => parseHostConfig(text, 'w.yaml')).toThrow(HostConfigError);
    expect(() => parseHostConfig(text, 'w.yaml')).toThrow(message);
  });

  it('agrees with docs/w3guard.schema.json on the example of docs/host.md and on refusals', () => {
    const schema = JSON.parse(readFileSync(new URL('../../docs/w3guard.schema.json', import.meta.url), 'utf8')) as object;
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    const docs = readFileSync(new URL('../../docs/host.md', import.meta.url), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(docs)?.[1] ?? '';
    expect(example).toContain('assets:');
    expect(parseHostConfig(example, 'host.md').assets.length).toBe(4);
    expect(validate(parse(example)), JSON.stringify(validate.errors)).toBe(true);
    for (const bad of ['hosts: WEB07\n', 'assets:\n  Shop:\n    criticality: severe\n', 'assets:\n  Shop:\n    owner: [a]\n', 'host: "../../etc"\n']) {
      expect(() => parseHostConfig(bad, 'w.yaml')).toThrow(HostConfigError);
      expect(validate(parse(bad)), bad).toBe(false);
    }
  });

  it('takes an empty file', () => {
    expect(parseHostConfig('', 'w.yaml')).toEqual({ file: 'w.yaml', assets: [] });
  });
});
