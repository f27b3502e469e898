import { useState, type FormEvent } from 'react';
import { api, errorCode, errorMessage, setCsrfToken } from '../api/client.js';

/** Sign-in with a user name and password; the session lives in an HttpOnly cookie, the CSRF token in memory. */
export function SignInPage(props: { readonly onSignedIn: () => void }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  // Asked for only once the password was right: the server answers `mfa-required` then.
  const [needCode, setNeedCode] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    const code = String(form.get('code') ?? '').trim();
    const result = await api.POST('/api/v1/session', { body: { username: String(form.get('username') ?? ''), password: String(form.get('password') ?? ''), ...(code === '' ? {} : { code }) } });
    setBusy(false);
    if (result.error !== undefined || result.data === undefined) {
      if (errorCode(result.error) === 'mfa-required') {
        setNeedCode(true);
        setError('Enter the 6-digit code of your authenticator app.');
      } else setError(errorMessage(result.error));
      return;
    }
    setCsrfToken(result.data.csrfToken);
    props.onSignedIn();
  };
  return (
    <main className="signin" id="main">
      <h1>Sign in to w3guard</h1>
      <form onSubmit={(event) => void submit(event)} aria-describedby={error === undefined ? undefined : 'signin-error'}>
        <label>
          User name
          <input name="username" autoComplete="username" required maxLength={64} />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required maxLength={1024} />
        </label>
        {needCode ? (
          <label>
            Authentication code
            <input name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required autoFocus />
          </label>
        ) : null}
        {error === undefined ? null : (
          <p role="alert" id="signin-error" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
