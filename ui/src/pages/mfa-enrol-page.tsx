import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api/client.js';
import { VisibleText } from '../components/visible-text.js';

/**
 * Shown when the server requires a second factor (`serve --require-mfa`) and the user has none yet: the session
 * may only set one up. The secret is shown as text to type into an authenticator app (no QR library is shipped).
 */
export function MfaEnrolPage(props: { readonly onEnrolled: () => void }) {
  const [secret, setSecret] = useState<{ readonly secret: string; readonly uri: string }>();
  const [error, setError] = useState<string>();
  const start = async () => {
    const result = await api.POST('/api/v1/session/mfa');
    if (result.error !== undefined || result.data?.secret === undefined) {
      setError(errorMessage(result.error));
      return;
    }
    setError(undefined);
    setSecret({ secret: result.data.secret, uri: result.data.uri ?? '' });
  };
  const confirm = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get('code') ?? '').trim();
    const result = await api.POST('/api/v1/session/mfa/confirm', { body: { code } });
    if (result.error !== undefined) {
      setError(errorMessage(result.error));
      return;
    }
    props.onEnrolled();
  };
  return (
    <section className="signin" aria-labelledby="mfa-title">
      <h1 id="mfa-title">Set up a second factor</h1>
      <p>This server asks every user for a code from an authenticator app. Set one up to continue.</p>
      {secret === undefined ? (
        <button type="button" onClick={() => void start()}>
          Show my secret
        </button>
      ) : (
        <form onSubmit={(event) => void confirm(event)}>
          <p>
            Type this secret into your authenticator app: <code data-testid="mfa-secret">{secret.secret}</code>
          </p>
          <p className="muted">
            Or its URI: <VisibleText text={secret.uri} />
          </p>
          <label>
            Code the app shows
            <input name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required />
          </label>
          <button type="submit">Confirm</button>
        </form>
      )}
      {error === undefined ? null : (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
