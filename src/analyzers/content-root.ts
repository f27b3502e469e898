/** The `content/` folder shipped with w3guard (rules, mappings), found from this module in `src/` or `dist/`. */
export const CONTENT_ROOT = new URL('../../content/', import.meta.url);
