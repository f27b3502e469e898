import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, type ReactNode } from 'react';
import { api, setCsrfToken, whenSignedOut } from '../api/client.js';
import { Link } from '../components/link.js';
import { AssetsPage } from '../pages/assets-page.js';
import { AuditPage } from '../pages/audit-page.js';
import { DashboardPage } from '../pages/dashboard-page.js';
import { DeliveriesPage, DeliveryPage } from '../pages/deliveries-page.js';
import { FindingPage } from '../pages/finding-page.js';
import { FindingsPage } from '../pages/findings-page.js';
import { MfaEnrolPage } from '../pages/mfa-enrol-page.js';
import { NotificationsPage } from '../pages/notifications-page.js';
import { ScanPage } from '../pages/scan-page.js';
import { ScansPage } from '../pages/scans-page.js';
import { SchedulesPage } from '../pages/schedules-page.js';
import { SignInPage } from '../pages/sign-in-page.js';
import { TokensPage } from '../pages/tokens-page.js';
import { UsersPage } from '../pages/users-page.js';
import { useLocation } from './router.js';
import { can, SessionContext, type SessionUser } from './session.js';

/** Asks who is signed in; a 401 means the sign-in page. */
async function loadSession(): Promise<(SessionUser & { readonly mustEnrol: boolean }) | null> {
  const result = await api.GET('/api/v1/session');
  if (result.response.status === 401) return null;
  const user = result.data?.user;
  if (user?.name === undefined || user.role === undefined) throw new Error('The server did not say who is signed in.');
  setCsrfToken(result.data?.csrfToken);
  return { name: user.name, role: user.role, mustEnrol: result.data?.mfaEnrolmentRequired === true };
}

/** A path segment decoded, or undefined when it is not valid percent-encoding (a mangled link). */
function segment(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** The administration pages, in the order the Admin navigation lists them. */
const ADMIN_PAGES = [
  { path: '/admin/users', title: 'Users' },
  { path: '/admin/tokens', title: 'API tokens' },
  { path: '/admin/notifications', title: 'Notifications' },
  { path: '/admin/deliveries', title: 'Delivery log' },
  { path: '/admin/audit', title: 'Audit log' },
] as const;

/** The administration page of a path, or undefined when the path is none. */
function adminPage(path: string): ReactNode {
  const delivery = /^\/admin\/deliveries\/(\d+)$/.exec(path)?.[1];
  if (delivery !== undefined) return <DeliveryPage id={Number(delivery)} />;
  switch (path) {
    case '/admin/users':
      return <UsersPage />;
    case '/admin/tokens':
      return <TokensPage />;
    case '/admin/notifications':
      return <NotificationsPage />;
    case '/admin/deliveries':
      return <DeliveriesPage />;
    case '/admin/audit':
      return <AuditPage />;
    default:
      return undefined;
  }
}

/** The page for the current path. */
function Page(props: { readonly user: SessionUser }) {
  const { path } = useLocation();
  if (path.startsWith('/admin/')) {
    // Not even the page's frame for a non-admin: the server refuses its requests anyway (403).
    if (!can(props.user, 'admin')) {
      return (
        <section data-testid="not-allowed">
          <h1>Not allowed</h1>
          <p>
            This page is for administrators. <Link to="/">Go to the dashboard</Link>.
          </p>
        </section>
      );
    }
    const page = adminPage(path);
    if (page !== undefined) return page;
  }
  const finding = segment(/^\/findings\/([^/]+)$/.exec(path)?.[1]);
  if (finding !== undefined) return <FindingPage fingerprint={finding} />;
  if (path === '/findings') return <FindingsPage />;
  const scan = /^\/scans\/(\d+)$/.exec(path);
  if (scan?.[1] !== undefined) return <ScanPage key={scan[1]} id={Number(scan[1])} />;
  if (path === '/scans') return <ScansPage />;
  if (path === '/schedules') return <SchedulesPage />;
  if (path === '/assets') return <AssetsPage />;
  const asset = segment(/^\/assets\/([^/]+)$/.exec(path)?.[1]);
  if (asset !== undefined) return <FindingsPage asset={asset} />;
  if (path === '/' || path === '/dashboard') return <DashboardPage />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        This page does not exist. <Link to="/">Go to the dashboard</Link>.
      </p>
    </section>
  );
}

/** The whole UI: the sign-in page, or the navigation and the current page for the signed-in user. */
export function App() {
  const queryClient = useQueryClient();
  const session = useQuery({ queryKey: ['session'], queryFn: loadSession, staleTime: Infinity });
  const main = useRef<HTMLElement>(null);
  const { path } = useLocation();
  useEffect(() => whenSignedOut(() => void queryClient.invalidateQueries({ queryKey: ['session'] })), [queryClient]);
  // After a navigation, keyboard and screen-reader users start at the new page's content.
  useEffect(() => main.current?.focus({ preventScroll: true }), [path]);
  if (session.isPending) return <p className="loading">Loading…</p>;
  if (session.isError) return <p role="alert">{session.error.message}</p>;
  const user = session.data;
  if (user === null) return <SignInPage onSignedIn={() => void queryClient.invalidateQueries({ queryKey: ['session'] })} />;
  if (user.mustEnrol) return <MfaEnrolPage onEnrolled={() => void queryClient.invalidateQueries({ queryKey: ['session'] })} />;
  const signOut = async () => {
    await api.DELETE('/api/v1/session');
    setCsrfToken(undefined);
    queryClient.clear();
    window.location.assign('/');
  };
  return (
    <SessionContext.Provider value={user}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <nav aria-label="Main">
          <Link to="/" className="brand">
            w3guard
          </Link>
          <Link to="/">Dashboard</Link>
          <Link to="/findings">Findings</Link>
          <Link to="/assets">Assets</Link>
          <Link to="/scans">Scans</Link>
          <Link to="/schedules">Schedules</Link>
        </nav>
        {can(user, 'admin') ? (
          <nav aria-label="Admin" className="admin-nav" data-testid="nav-admin">
            <span className="group">Admin</span>
            {ADMIN_PAGES.map((page) => (
              <Link key={page.path} to={page.path}>
                {page.title}
              </Link>
            ))}
          </nav>
        ) : null}
        <div className="who">
          <span data-testid="who">
            {user.name} ({user.role})
          </span>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Page user={user} />
      </main>
    </SessionContext.Provider>
  );
}
