import { useState } from 'react';

/** Rows of one page of a log read newest first by id (the audit log, the delivery log). */
export const LOG_PAGE = 50;

/**
 * Paging of a log the API reads with `before=ID`: a stack of the `before` of each page shown so far, so
 * Previous goes back exactly. `reset` starts over (after a filter changes).
 */
export function useIdPages() {
  const [stack, setStack] = useState<readonly (number | undefined)[]>([undefined]);
  return {
    before: stack.at(-1),
    page: stack.length,
    forward: (before: number) => setStack([...stack, before]),
    back: () => setStack(stack.slice(0, -1)),
    reset: () => setStack([undefined]),
  };
}

/**
 * One page of rows fetched with one more than shown: the extra row only says a next page exists, and the
 * next page starts below the last row shown.
 */
export function pageOf<T extends { readonly id?: number }>(items: readonly T[]): { readonly rows: readonly T[]; readonly nextBefore: number | undefined } {
  const rows = items.slice(0, LOG_PAGE);
  return { rows, nextBefore: items.length > LOG_PAGE ? rows.at(-1)?.id : undefined };
}

/** Previous / Next for a log page. */
export function IdPager(props: { readonly pages: ReturnType<typeof useIdPages>; readonly nextBefore: number | undefined; readonly busy: boolean }) {
  const { pages, nextBefore, busy } = props;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={pages.page <= 1 || busy} onClick={pages.back}>
        Previous
      </button>
      <span aria-live="polite">Page {pages.page}</span>
      <button type="button" disabled={nextBefore === undefined || busy} onClick={() => nextBefore !== undefined && pages.forward(nextBefore)}>
        Next
      </button>
    </nav>
  );
}
