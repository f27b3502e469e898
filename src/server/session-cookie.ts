/**
 * The browser session's cookie. `__Host-` makes browsers refuse it unless Secure, on `/`, and without a
 * Domain, so no sibling host can set or overwrite it (ASVS 3.3.1–3.3.4).
 */
export const SESSION_COOKIE = '__Host-w3g_sid';

export const SESSION_COOKIE_OPTIONS = { secure: true, httpOnly: true, sameSite: 'lax', path: '/' } as const;
