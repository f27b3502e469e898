import type { ReactNode } from 'react';
import { onLinkClick } from '../app/router.js';

/**
 * A link inside the UI. `to` is always a path the UI built (never a URL from data), so no `javascript:` or
 * other scheme can reach an href.
 */
export function Link(props: { readonly to: string; readonly children: ReactNode; readonly className?: string; readonly 'aria-label'?: string; readonly 'data-testid'?: string }) {
  const to = props.to.startsWith('/') && !props.to.startsWith('//') ? props.to : '/';
  return (
    <a href={to} onClick={onLinkClick} className={props.className} aria-label={props['aria-label']} data-testid={props['data-testid']}>
      {props.children}
    </a>
  );
}
