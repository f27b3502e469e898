/** The findings list's filters, as the API and the URL name them (`openedIn`, `fixedIn`: day ranges the dashboard links to). */
export const FILTER_KEYS = ['status', 'label', 'severity', 'asset', 'rule', 'q', 'openedIn', 'fixedIn'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Partial<Record<FilterKey, string>>;

export const STATUSES = ['new', 'open', 'reopened', 'fixed', 'suppressed', 'all'] as const;
export const LABELS = ['incident', '3d-forensic', '3d', '14d', '60d', 'next-upgrade'] as const;
/** The labels a list can be filtered by: `none` is a finding no run prioritized. */
export const FILTER_LABELS = [...LABELS, 'none'] as const;
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

const STORAGE_KEY = 'w3guard.findings.filters';

/** The filters a URL's query holds (unknown keys and empty values left out). */
export function filtersFromSearch(search: URLSearchParams): Filters {
  const filters: Filters = {};
  for (const key of FILTER_KEYS) {
    const value = search.get(key);
    if (value !== null && value !== '') filters[key] = value;
  }
  return filters;
}

/** The query string of a set of filters, in a fixed order so equal filters give equal URLs. */
export function searchOf(filters: Filters): string {
  const search = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key];
    if (value !== undefined && value !== '') search.set(key, value);
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** The list's URL with these filters. */
export function findingsHref(filters: Filters): string {
  return `/findings${searchOf(filters)}`;
}

/** Remembers the last filters used, so the list opens where the user left it. */
export function rememberFilters(filters: Filters): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(filters));
  } catch {
    // Storage may be full or disabled; the URL still holds the filters.
  }
}

/** The remembered filters, or none. Only known keys with string values are taken back. */
export function rememberedFilters(): Filters {
  try {
    const value: unknown = JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? '{}');
    if (typeof value !== 'object' || value === null) return {};
    const filters: Filters = {};
    for (const key of FILTER_KEYS) {
      const item = (value as Record<string, unknown>)[key];
      if (typeof item === 'string' && item !== '') filters[key] = item;
    }
    return filters;
  } catch {
    return {};
  }
}
