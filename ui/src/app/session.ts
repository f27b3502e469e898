import { createContext, useContext } from 'react';
import type { Role } from '../api/client.js';

/** Who is signed in, as every page sees it. */
export interface SessionUser {
  readonly name: string;
  readonly role: Role;
}

export const SessionContext = createContext<SessionUser | undefined>(undefined);

/** The signed-in user; pages are only rendered inside a session. */
export function useSession(): SessionUser {
  const user = useContext(SessionContext);
  if (user === undefined) throw new Error('No one is signed in.');
  return user;
}

const RANK: Readonly<Record<Role, number>> = { viewer: 0, operator: 1, admin: 2 };

/** Whether the user may do what `need` may: controls the user cannot use are not rendered at all. */
export function can(user: SessionUser, need: Role): boolean {
  return RANK[user.role] >= RANK[need];
}
