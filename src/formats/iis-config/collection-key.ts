import type { XmlElement } from '../xml/xml-element.js';

interface KeySpec {
  readonly attributes: readonly string[];
  /** Schema defaults, so `<remove statusCode="404" subStatusCode="-1"/>` matches `<error statusCode="404"/>`. */
  readonly defaults?: Readonly<Record<string, string>>;
}

// Key attributes of IIS and ASP.NET collections, by the element that holds the `<add>` items (IIS_schema.xml).
const KEYS: ReadonlyMap<string, KeySpec> = new Map<string, KeySpec>([
  ['appSettings', { attributes: ['key'] }],
  ['files', { attributes: ['value'] }],
  ['fileExtensions', { attributes: ['fileExtension'] }],
  ['staticContent', { attributes: ['fileExtension'] }],
  ['httpErrors', { attributes: ['statusCode', 'subStatusCode'], defaults: { subStatusCode: '-1' } }],
  ['isapiCgiRestriction', { attributes: ['path'] }],
  ['hiddenSegments', { attributes: ['segment'] }],
  ['verbs', { attributes: ['verb'] }],
  ['denyUrlSequences', { attributes: ['sequence'] }],
  ['denyQueryStringSequences', { attributes: ['sequence'] }],
  ['alwaysAllowedUrls', { attributes: ['url'] }],
  ['alwaysAllowedQueryStrings', { attributes: ['queryString'] }],
  ['headerLimits', { attributes: ['header'] }],
  ['ipSecurity', { attributes: ['ipAddress', 'subnetMask', 'domainName'] }],
  ['staticTypes', { attributes: ['mimeType'] }],
  ['dynamicTypes', { attributes: ['mimeType'] }],
  ['assemblies', { attributes: ['assembly'] }],
  ['customFields', { attributes: ['logFieldName'] }],
  ['authoringRules', { attributes: ['users', 'roles', 'path'] }],
]);

/** Element names that add to a collection although they are not called `add`, keyed by the collection element. */
const ADD_ALIASES: ReadonlyMap<string, readonly string[]> = new Map([
  ['httpErrors', ['error']],
  ['staticContent', ['mimeMap']],
  ['isapiFilters', ['filter']],
  ['rules', ['rule']],
  ['outboundRules', ['rule']],
  ['globalRules', ['rule']],
  ['httpCompression', ['scheme']],
  ['sites', ['site']],
  ['bindings', ['binding']],
  ['applicationDependencies', ['application']],
  ['authorization', ['allow', 'deny']],
  ['rewriteMaps', ['rewriteMap']],
  ['providers', ['add', 'provider']],
]);

// Ordered rule lists: every entry counts, duplicates included, so there is no key to replace by.
const ORDERED: ReadonlySet<string> = new Set(['conditions', 'serverVariables']);

/** Whether `child` is an item (`add` or an alias) of the collection held by `collection`. */
export function isCollectionAdd(collection: string, child: string): boolean {
  return child === 'add' || (ADD_ALIASES.get(collection)?.includes(child) ?? false);
}

/**
 * The identity of a collection item or `<remove>` within the collection `collection`, case-insensitive as IIS
 * compares keys; undefined for ordered lists, where every entry is kept.
 */
export function collectionKey(collection: string, item: XmlElement): string | undefined {
  if (ORDERED.has(collection)) return undefined;
  const present = new Map(item.attributes.map((attribute) => [attribute.name, attribute.value] as const));
  const spec = KEYS.get(collection);
  if (spec !== undefined && spec.attributes.some((name) => present.has(name))) {
    return spec.attributes.map((name) => (present.get(name) ?? spec.defaults?.[name] ?? '').toLowerCase()).join('|');
  }
  // system.web authorization allow/deny and IIS authorization entries are keyed by all their attributes.
  if (collection === 'authorization') {
    const kind = item.name === 'deny' ? 'deny' : item.name === 'allow' ? 'allow' : (present.get('accessType') ?? '').toLowerCase();
    return [kind, present.get('users') ?? '', present.get('roles') ?? '', present.get('verbs') ?? ''].join('|').toLowerCase();
  }
  for (const name of ['name', 'key', 'value', 'path', 'fileExtension', 'mimeType', 'id']) {
    const value = present.get(name);
    if (value !== undefined) return `${name}=${value.toLowerCase()}`;
  }
  return item.attributes.map((attribute) => `${attribute.name}=${attribute.value}`).join('&').toLowerCase();
}
