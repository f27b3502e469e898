import type { Role } from '../api/client.js';

export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

/** The role of a new user or token: least privilege first. */
export function RoleField(props: { readonly defaultValue?: Role }) {
  return (
    <label>
      Role
      <select name="role" defaultValue={props.defaultValue ?? 'viewer'}>
        {ROLES.map((role) => (
          <option key={role} value={role}>
            {role}
          </option>
        ))}
      </select>
    </label>
  );
}

/** An asset scope as typed: one asset prefix a line; empty means every asset. */
export function AssetScopeField() {
  return (
    <label>
      Asset scope (one prefix a line; empty: every asset)
      <textarea name="assets" rows={2} cols={32} />
    </label>
  );
}

/** The asset scope of a form with an `AssetScopeField`, as the API takes it: undefined for every asset. */
export function scopeOf(form: FormData): string[] | undefined {
  const prefixes = linesOf(String(form.get('assets') ?? ''));
  return prefixes.length === 0 ? undefined : prefixes;
}

/** The non-empty, trimmed lines of a text field; `commas` also splits at commas (addresses, tags). */
export function linesOf(text: string, commas = false): string[] {
  return text
    .split(commas ? /[\r\n,]/ : /[\r\n]/)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** An asset scope as a short text: "every asset" or the prefixes. */
export function scopeText(assets: readonly string[] | undefined): string {
  return assets === undefined || assets.length === 0 ? 'every asset' : assets.join(', ');
}
