import { useSyncExternalStore } from 'react';

/**
 * The UI's routing: the browser's own history, no library. The server answers every deep link
 * (`/findings/{fingerprint}`, `/scans/{id}`) with the UI's page, which then reads the location here.
 */
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

const snapshot = (): string => window.location.pathname + window.location.search;

/** The current path and query, re-rendering on every navigation. */
export function useLocation(): { readonly path: string; readonly search: URLSearchParams } {
  const current = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(current, window.location.origin);
  return { path: url.pathname, search: url.searchParams };
}

/** Goes to a path of the UI (`replace`: without a new history entry, e.g. when filters change). */
export function navigate(to: string, options: { readonly replace?: boolean } = {}): void {
  if (options.replace === true) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  for (const listener of listeners) listener();
}

/** Plain clicks on in-app links navigate without reloading; modified clicks keep the browser's behaviour. */
export function onLinkClick(event: React.MouseEvent<HTMLAnchorElement>): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const href = event.currentTarget.getAttribute('href');
  if (href === null || !href.startsWith('/') || href.startsWith('/api/')) return;
  event.preventDefault();
  navigate(href);
  window.scrollTo(0, 0);
}
