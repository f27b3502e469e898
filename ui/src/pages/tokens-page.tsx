import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, errorMessage, unwrap, type Role, type Token } from '../api/client.js';
import { AssetScopeField, RoleField, scopeOf, scopeText } from '../components/account-fields.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { endOfDay } from '../components/triage-fields.js';
import { VisibleText } from '../components/visible-text.js';

/** A token's state as a word: revoked, expired or active. */
function stateOf(token: Token, now: number): string {
  if (token.revokedAt !== undefined) return `revoked ${token.revokedAt}`;
  if (token.expiresAt !== undefined && Date.parse(token.expiresAt) <= now) return 'expired';
  return 'active';
}

/** API tokens for scripts and CI, for admins: list, create (shown once), revoke. */
export function TokensPage() {
  const queryClient = useQueryClient();
  const tokens = useQuery({ queryKey: ['tokens'], queryFn: async () => unwrap(await api.GET('/api/v1/tokens')).items ?? [] });
  const [created, setCreated] = useState<{ readonly name: string; readonly token: string }>();
  const [message, setMessage] = useState<{ readonly ok: boolean; readonly text: string }>();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['tokens'] });
  const create = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    const name = String(form.get('name') ?? '').trim();
    const expires = String(form.get('expires') ?? '');
    const assets = scopeOf(form);
    const result = await api.POST('/api/v1/tokens', {
      body: { name, role: String(form.get('role')) as Role, ...(expires === '' ? {} : { expiresAt: endOfDay(expires) }), ...(assets === undefined ? {} : { assets }) },
    });
    if (result.data?.token === undefined) {
      setMessage({ ok: false, text: errorMessage(result.error) });
      return;
    }
    setMessage(undefined);
    setCreated({ name, token: result.data.token });
    element.reset();
    refresh();
  };
  const revoke = async (token: Token) => {
    if (token.id === undefined) return;
    const result = await api.DELETE('/api/v1/tokens/{id}', { params: { path: { id: token.id } } });
    setMessage(result.response.ok ? { ok: true, text: 'Token revoked: it no longer works.' } : { ok: false, text: errorMessage(result.error) });
    refresh();
  };
  const now = Date.now();
  return (
    <section>
      <h1>API tokens</h1>
      <p>Tokens let scripts and CI use the API with a role and, if given, an asset scope. A token is shown once, when it is created; only its name and use are kept in view.</p>
      {created === undefined ? null : <NewToken name={created.name} token={created.token} onDone={() => setCreated(undefined)} />}
      {tokens.isPending ? <p className="loading">Loading tokens…</p> : null}
      {tokens.isError ? <p role="alert">{tokens.error.message}</p> : null}
      {tokens.isSuccess && tokens.data.length === 0 ? <p>No token yet.</p> : null}
      {tokens.isSuccess && tokens.data.length > 0 ? (
        <table className="grid" data-testid="tokens">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Scope</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((token) => {
              const state = stateOf(token, now);
              return (
                <tr key={token.id} data-token={token.id} data-state={state === 'active' ? 'active' : state.split(' ')[0]}>
                  <td>
                    <VisibleText text={token.name ?? ''} />
                  </td>
                  <td>{token.role}</td>
                  <td>
                    <VisibleText text={scopeText(token.assets)} />
                  </td>
                  <td>
                    {token.createdAt} by <VisibleText text={token.createdBy ?? ''} />
                  </td>
                  <td>{token.lastUsedAt ?? 'never'}</td>
                  <td>{token.expiresAt ?? 'never'}</td>
                  <td>{state}</td>
                  <td>{token.revokedAt === undefined ? <ConfirmButton label="Revoke" question="Revoke this token? Scripts using it stop working." yes="Yes, revoke" onConfirm={() => revoke(token)} /> : null}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {message === undefined ? null : (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? undefined : 'error'}>
          <VisibleText text={message.text} />
        </p>
      )}
      <form className="admin-form" onSubmit={(event) => void create(event)} aria-labelledby="add-token" data-testid="add-token">
        <h2 id="add-token">Create a token</h2>
        <label>
          Name
          <input name="name" required maxLength={100} />
        </label>
        <RoleField />
        <label>
          Expires (optional, end of that day UTC)
          <input name="expires" type="date" />
        </label>
        <AssetScopeField />
        <button type="submit">Create token</button>
      </form>
    </section>
  );
}

/** The new token, once: a read-only field to select and copy, and a warning that it is not shown again. */
function NewToken(props: { readonly name: string; readonly token: string; readonly onDone: () => void }) {
  const [copied, setCopied] = useState<string>();
  const copy = async () => {
    try {
      await window.navigator.clipboard.writeText(props.token);
      setCopied('Copied.');
    } catch {
      setCopied('The browser did not allow copying: select the field and copy it.');
    }
  };
  return (
    <div className="new-secret" role="region" aria-labelledby="new-token" data-testid="new-token">
      <h2 id="new-token">
        New token <VisibleText text={props.name} />
      </h2>
      <p className="warning">Copy it now: it is not shown again. Anyone with it can use the API with its role.</p>
      <label>
        Token
        <input readOnly value={props.token} size={60} spellCheck={false} autoComplete="off" onFocus={(event) => event.target.select()} data-testid="new-token-value" />
      </label>
      <button type="button" onClick={() => void copy()}>
        Copy
      </button>{' '}
      <button type="button" onClick={props.onDone}>
        Done, hide it
      </button>
      {copied === undefined ? null : <p role="status">{copied}</p>}
    </div>
  );
}
