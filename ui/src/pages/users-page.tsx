import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, errorMessage, unwrap, type Role, type User, type UserChange } from '../api/client.js';
import { useSession } from '../app/session.js';
import { AssetScopeField, RoleField, ROLES, scopeOf, scopeText } from '../components/account-fields.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { VisibleText, visibleString } from '../components/visible-text.js';

type Change = UserChange;

/** What happened after the last change, shown once under the table. */
interface Outcome {
  readonly ok: boolean;
  readonly text: string;
}

/**
 * Users, their roles, scopes and state, for admins: add a user, change a role, disable or enable, end every
 * session, reset a second factor, set a password. An admin's own row has no controls that would lock them
 * out (the server refuses those anyway).
 */
export function UsersPage() {
  const me = useSession();
  const queryClient = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: async () => unwrap(await api.GET('/api/v1/users')).items ?? [] });
  const [outcome, setOutcome] = useState<Outcome>();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['users'] });
  const change = async (name: string, body: Change, done: string) => {
    const result = await api.PATCH('/api/v1/users/{name}', { params: { path: { name } }, body });
    setOutcome(result.error === undefined ? { ok: true, text: done } : { ok: false, text: errorMessage(result.error) });
    refresh();
    return result.error === undefined;
  };
  const signOutEverywhere = async (name: string) => {
    const result = await api.DELETE('/api/v1/users/{name}/sessions', { params: { path: { name } } });
    setOutcome(result.data === undefined ? { ok: false, text: errorMessage(result.error) } : { ok: true, text: `${name}: ${result.data.count ?? 0} session(s) ended.` });
  };
  if (users.isPending) return <p className="loading">Loading users…</p>;
  if (users.isError) return <p role="alert">{users.error.message}</p>;
  return (
    <section>
      <h1>Users</h1>
      <table className="grid" data-testid="users">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Scope</th>
            <th scope="col">State</th>
            <th scope="col">Second factor</th>
            <th scope="col">Created</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {users.data.map((user) => (
            <tr key={user.name} data-user={user.name}>
              <td>
                <VisibleText text={user.name ?? ''} />
              </td>
              <td>{user.role}</td>
              <td>
                <VisibleText text={scopeText(user.assets)} />
              </td>
              <td>{user.disabled === true ? 'disabled' : user.lockedUntil === undefined ? 'active' : `locked until ${user.lockedUntil}`}</td>
              <td>{user.mfa === true ? 'yes' : 'no'}</td>
              <td>{user.createdAt}</td>
              <td className="row-actions">{user.name === undefined || user.name === me.name ? <span className="muted">you</span> : <UserActions user={{ ...user, name: user.name }} change={change} signOutEverywhere={signOutEverywhere} />}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {outcome === undefined ? null : (
        <p role={outcome.ok ? 'status' : 'alert'} className={outcome.ok ? undefined : 'error'} data-testid="users-outcome">
          <VisibleText text={outcome.text} />
        </p>
      )}
      <AddUser
        onDone={(result) => {
          setOutcome(result);
          refresh();
        }}
      />
    </section>
  );
}

/** The controls of another user's row. */
function UserActions(props: { readonly user: User & { readonly name: string }; readonly change: (name: string, body: Change, done: string) => Promise<boolean>; readonly signOutEverywhere: (name: string) => Promise<void> }) {
  const { user, change } = props;
  const label = visibleString(user.name);
  const saveRole = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const role = String(new FormData(event.currentTarget).get('role')) as Role;
    void change(user.name, { role }, `${user.name} is now ${role}.`);
  };
  const setPassword = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const element = event.currentTarget;
    const password = String(new FormData(element).get('password') ?? '');
    void change(user.name, { password }, `${user.name} has a new password; their sessions were ended.`).then((ok) => ok && element.reset());
  };
  return (
    <>
      <form className="inline" onSubmit={saveRole}>
        <select name="role" defaultValue={user.role} aria-label={`Role of ${label}`}>
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </select>
        <button type="submit">Change role</button>
      </form>
      {user.disabled === true ? (
        <button type="button" onClick={() => void change(user.name, { disabled: false }, `${user.name} is enabled.`)}>
          Enable
        </button>
      ) : (
        <ConfirmButton label="Disable" question="Disable this user and end their sessions?" yes="Yes, disable" onConfirm={() => change(user.name, { disabled: true }, `${user.name} is disabled.`).then(() => undefined)} />
      )}
      <ConfirmButton label="Sign out everywhere" question="End every session of this user?" yes="Yes, sign out" onConfirm={() => props.signOutEverywhere(user.name)} />
      {user.mfa === true ? (
        <ConfirmButton label="Reset second factor" question="Remove this user's authenticator? They set it up again at the next sign-in." yes="Yes, reset" onConfirm={() => change(user.name, { mfa: false }, `${user.name}'s second factor is reset.`).then(() => undefined)} />
      ) : null}
      <details>
        <summary>Set a password</summary>
        <form className="inline" onSubmit={setPassword}>
          <label>
            New password for {label}
            <input name="password" type="password" required autoComplete="new-password" />
          </label>
          <button type="submit">Set password</button>
        </form>
      </details>
    </>
  );
}

/** Adds a user with a role, an optional asset scope and an initial password (the server checks its strength). */
function AddUser(props: { readonly onDone: (outcome: Outcome) => void }) {
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    const name = String(form.get('name') ?? '').trim();
    const assets = scopeOf(form);
    const result = await api.POST('/api/v1/users', { body: { name, role: String(form.get('role')) as Role, password: String(form.get('password') ?? ''), ...(assets === undefined ? {} : { assets }) } });
    if (result.error !== undefined) {
      props.onDone({ ok: false, text: errorMessage(result.error) });
      return;
    }
    element.reset();
    props.onDone({ ok: true, text: `${name} added. Give them the password by a channel of its own; they can set up a second factor after signing in.` });
  };
  return (
    <form className="admin-form" onSubmit={(event) => void submit(event)} aria-labelledby="add-user" data-testid="add-user">
      <h2 id="add-user">Add a user</h2>
      <label>
        Name
        <input name="name" required pattern="[A-Za-z0-9._@\-]{1,64}" maxLength={64} autoComplete="off" />
      </label>
      <RoleField />
      <AssetScopeField />
      <label>
        Initial password
        <input name="password" type="password" required autoComplete="new-password" />
      </label>
      <button type="submit">Add user</button>
    </form>
  );
}
