import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type Pair } from 'yaml';
import type { Asset } from '../core/asset.js';
import type { ScanIssue } from '../core/scan-issue.js';

/** What the user says about one asset in `w3guard.yaml`. */
export interface AssetSettings {
  readonly criticality?: 'low' | 'medium' | 'high' | 'critical';
  readonly exposure?: 'internet' | 'internal';
  readonly tags?: readonly string[];
  readonly owners?: readonly string[];
}

/** A validated `w3guard.yaml`. */
export interface HostConfig {
  readonly file: string;
  /** The host's name, used as the root of every asset id. */
  readonly host?: string;
  /** Settings by the key the user wrote (an asset id, a site or application name, a pool name), with its line. */
  readonly assets: readonly { readonly key: string; readonly line: number; readonly settings: AssetSettings }[];
}

/** A `w3guard.yaml` that cannot be used: the message names the file and line. */
export class HostConfigError extends Error {
  override readonly name = 'HostConfigError';
}

const MAX_BYTES = 1024 * 1024;
const CRITICALITY = ['low', 'medium', 'high', 'critical'] as const;
const EXPOSURE = ['internet', 'internal'] as const;
const SETTING_KEYS = new Set(['criticality', 'exposure', 'tags', 'owners']);

/**
 * Reads and validates `w3guard.yaml` (see docs/host.md and docs/w3guard.schema.json): `host` and `assets`, each
 * asset's `criticality`, `exposure`, `tags` and `owners`. Unknown keys and bad values throw `HostConfigError` with
 * file:line.
 */
export async function readHostConfig(file: string): Promise<HostConfig> {
  let text: string;
  try {
    const buffer = await readFile(file);
    if (buffer.length > MAX_BYTES) throw new HostConfigError(`${file}: larger than ${MAX_BYTES} bytes`);
    text = buffer.toString('utf8');
  } catch (error) {
    if (error instanceof HostConfigError) throw error;
    throw new HostConfigError(`${file}: cannot be read (${error instanceof Error && 'code' in error ? String(error.code) : 'error'})`, { cause: error });
  }
  return parseHostConfig(text, file);
}

/** Validates the text of a `w3guard.yaml`; `file` only names it in errors. */
export function parseHostConfig(text: string, file: string): HostConfig {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const lineOf = (node: YamlNode | Pair | null | undefined): number => {
    const offset = node !== null && node !== undefined && 'range' in node ? node.range?.[0] : undefined;
    return offset === undefined ? 1 : lines.linePos(offset).line;
  };
  const fail = (node: YamlNode | Pair | null | undefined, message: string): never => {
    throw new HostConfigError(`${file}:${lineOf(node)}: ${message}`);
  };
  const first = document.errors[0];
  if (first !== undefined) throw new HostConfigError(`${file}:${first.linePos?.[0]?.line ?? 1}: ${first.message.split('\n')[0] ?? 'not valid YAML'}`);
  const root = document.contents;
  if (root === null) return { file, assets: [] };
  if (!isMap(root)) return fail(root, 'the file must be a mapping with "host" and "assets"');
  let host: string | undefined;
  const assets: { key: string; line: number; settings: AssetSettings }[] = [];
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (key === 'host') {
      if (!isScalar(pair.value) || typeof pair.value.value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(pair.value.value)) {
        fail(pair.value ?? pair.key as YamlNode, '"host" must be a computer name (letters, digits, . _ -)');
      }
      host = String((pair.value as { value: string }).value);
    } else if (key === 'assets') {
      if (pair.value === null || (isScalar(pair.value) && pair.value.value === null)) continue;
      if (!isMap(pair.value)) return fail(pair.value, '"assets" must map asset ids or names to their settings');
      for (const entry of pair.value.items) {
        const name = isScalar(entry.key) ? String(entry.key.value).trim() : '';
        if (name === '') fail(entry.key as YamlNode, 'an asset key must be a non-empty id or name');
        assets.push({ key: name, line: lineOf(entry.key as YamlNode), settings: readSettings(entry.value as YamlNode | null, name, fail) });
      }
    } else {
      fail(pair.key as YamlNode, `unknown key ${JSON.stringify(key)} (expected "host" or "assets")`);
    }
  }
  return { file, ...(host === undefined ? {} : { host }), assets };
}

function readSettings(node: YamlNode | null, name: string, fail: (node: YamlNode | null | undefined, message: string) => never): AssetSettings {
  if (node === null || (isScalar(node) && node.value === null)) return {};
  if (!isMap(node)) return fail(node, `the settings of ${JSON.stringify(name)} must be a mapping`);
  const settings: { criticality?: AssetSettings['criticality']; exposure?: AssetSettings['exposure']; tags?: string[]; owners?: string[] } = {};
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const value = pair.value as YamlNode | null;
    if (!SETTING_KEYS.has(key)) fail(pair.key as YamlNode, `unknown key ${JSON.stringify(key)} under ${JSON.stringify(name)} (expected criticality, exposure, tags, owners)`);
    if (key === 'criticality') settings.criticality = oneOf(value, CRITICALITY, key, fail);
    else if (key === 'exposure') settings.exposure = oneOf(value, EXPOSURE, key, fail);
    else settings[key as 'tags' | 'owners'] = strings(value, key, fail);
  }
  return settings;
}

function oneOf<T extends string>(node: YamlNode | null, allowed: readonly T[], key: string, fail: (node: YamlNode | null | undefined, message: string) => never): T {
  const value = node !== null && isScalar(node) ? node.value : undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) return fail(node, `${key} must be one of ${allowed.join(', ')}`);
  return value as T;
}

function strings(node: YamlNode | null, key: string, fail: (node: YamlNode | null | undefined, message: string) => never): string[] {
  if (node === null || !isSeq(node)) return fail(node, `${key} must be a list of strings`);
  return node.items.map((item) => {
    const value = isScalar(item) ? item.value : undefined;
    if (typeof value !== 'string' || value.trim() === '' || value.length > 200) return fail(item as YamlNode, `${key} must be a list of non-empty strings`);
    return value;
  });
}

/**
 * Puts the settings on the host's assets: a key matches an asset id or name (case-insensitive). Each asset then
 * inherits from its parents (host → site → application, host → app pool): the nearest criticality and exposure win,
 * tags and owners add up. Keys that match no asset become issues (a fleet-wide file names other hosts' sites).
 */
export function assetSettings(config: HostConfig, assets: readonly Asset[]): { lookup: (assetId: string) => AssetSettings | undefined; issues: ScanIssue[] } {
  const own = new Map<string, AssetSettings>();
  const issues: ScanIssue[] = [];
  for (const entry of config.assets) {
    const wanted = entry.key.toLowerCase();
    const matched = assets.filter((asset) => asset.id.toLowerCase() === wanted || (asset.name !== undefined && asset.name.toLowerCase() === wanted));
    if (matched.length === 0) issues.push({ code: 'config.asset-unknown', message: `${JSON.stringify(entry.key)} names no asset of this host; its settings were not used`, path: config.file, line: entry.line });
    for (const asset of matched) own.set(asset.id, mergeAssetSettings(own.get(asset.id), entry.settings));
  }
  const byId = new Map(assets.map((asset) => [asset.id, asset]));
  const cache = new Map<string, AssetSettings | undefined>();
  const lookup = (assetId: string): AssetSettings | undefined => {
    if (cache.has(assetId)) return cache.get(assetId);
    const chain: AssetSettings[] = [];
    const seen = new Set<string>();
    for (let asset = byId.get(assetId); asset !== undefined && !seen.has(asset.id); asset = asset.parent === undefined ? undefined : byId.get(asset.parent)) {
      seen.add(asset.id);
      const settings = own.get(asset.id);
      if (settings !== undefined) chain.unshift(settings);
    }
    const result = chain.length === 0 ? undefined : chain.reduce<AssetSettings>((parent, child) => mergeAssetSettings(parent, child), {});
    cache.set(assetId, result);
    return result;
  };
  return { lookup, issues };
}

/** The child's criticality and exposure over the parent's; tags and owners of both. */
export function mergeAssetSettings(parent: AssetSettings | undefined, child: AssetSettings): AssetSettings {
  const tags = [...new Set([...(parent?.tags ?? []), ...(child.tags ?? [])])];
  const owners = [...new Set([...(parent?.owners ?? []), ...(child.owners ?? [])])];
  const criticality = child.criticality ?? parent?.criticality;
  const exposure = child.exposure ?? parent?.exposure;
  return {
    ...(criticality === undefined ? {} : { criticality }),
    ...(exposure === undefined ? {} : { exposure }),
    ...(tags.length === 0 ? {} : { tags }),
    ...(owners.length === 0 ? {} : { owners }),
  };
}
