import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.js';
import { VisibleText } from '../components/visible-text.js';

/** Users and their roles, for admins (read-only in this version; `w3guard user add` and the API change them). */
export function UsersPage() {
  const users = useQuery({ queryKey: ['users'], queryFn: async () => unwrap(await api.GET('/api/v1/users')) });
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
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {(users.data.items ?? []).map((user) => (
            <tr key={user.name}>
              <td>
                <VisibleText text={user.name ?? ''} />
              </td>
              <td>{user.role}</td>
              <td>{user.disabled === true ? 'disabled' : user.lockedUntil === undefined ? 'active' : `locked until ${user.lockedUntil}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
