import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, errorMessage, unwrap } from '../api/client.js';
import { navigate, useLocation } from '../app/router.js';
import { LISTED_KINDS, SCAN_STATES, scanRequestOf, unsettled, type ListedKind, type ScanState } from '../app/scan-kinds.js';
import { can, useSession } from '../app/session.js';
import { LabelledSelect } from '../components/labelled-select.js';
import { Link } from '../components/link.js';
import { progressParts } from '../components/scan-progress.js';
import { ScanRequestFields } from '../components/scan-request-fields.js';
import { VisibleText } from '../components/visible-text.js';
import { When } from '../components/when.js';

/** Rows per page. */
const PAGE_SIZE = 50;
/** How often the list asks again while a scan on it is queued or running. */
const REFRESH_MS = 2_000;

/** The filters a URL's query holds, when they are ones the API knows. */
function filtersOf(search: URLSearchParams): { state?: ScanState; kind?: ListedKind } {
  const state = search.get('state');
  const kind = search.get('kind');
  return {
    ...((SCAN_STATES as readonly string[]).includes(state ?? '') ? { state: state as ScanState } : {}),
    ...((LISTED_KINDS as readonly string[]).includes(kind ?? '') ? { kind: kind as ListedKind } : {}),
  };
}

function scansHref(filters: { state?: string; kind?: string }): string {
  const search = new URLSearchParams();
  if (filters.state !== undefined && filters.state !== '') search.set('state', filters.state);
  if (filters.kind !== undefined && filters.kind !== '') search.set('kind', filters.kind);
  const text = search.toString();
  return text === '' ? '/scans' : `/scans?${text}`;
}

/** `/scans`: every scan, newest first, filtered by state and kind (kept in the URL); operators start new ones here. */
export function ScansPage() {
  const user = useSession();
  const { search } = useLocation();
  const filters = filtersOf(search);
  const key = `${filters.state ?? ''}/${filters.kind ?? ''}`;
  return (
    <section aria-labelledby="scans-title">
      <h1 id="scans-title">Scans</h1>
      {can(user, 'operator') ? <NewScanForm /> : null}
      <form
        key={`filters${key}`}
        className="filters"
        role="search"
        aria-label="Filter scans"
        onSubmit={(event) => event.preventDefault()}
        onChange={(event) => {
          const form = new FormData(event.currentTarget);
          navigate(scansHref({ state: String(form.get('state') ?? ''), kind: String(form.get('kind') ?? '') }), { replace: true });
        }}
      >
        <LabelledSelect name="state" label="State" options={SCAN_STATES} value={filters.state} empty="any" />
        <LabelledSelect name="kind" label="Kind" options={LISTED_KINDS} value={filters.kind} empty="any" />
      </form>
      <ScanTable key={`table${key}`} filters={filters} />
    </section>
  );
}

function ScanTable(props: { readonly filters: { state?: ScanState; kind?: ListedKind } }) {
  // Page 1 has no cursor; each "next" pushes the page's nextCursor, each "previous" pops one.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const page = useQuery({
    queryKey: ['scans', props.filters, cursor],
    queryFn: async () => unwrap(await api.GET('/api/v1/scans', { params: { query: { ...props.filters, limit: PAGE_SIZE, ...(cursor === undefined ? {} : { cursor }) } } })),
    placeholderData: keepPreviousData,
    // Scans start elsewhere too (Verify fix, schedules, other users): coming back to the list always asks again.
    refetchOnMount: 'always',
    refetchInterval: (query) => (query.state.data?.items.some((scan) => unsettled(scan.state)) === true ? REFRESH_MS : false),
  });
  const items = page.data?.items ?? [];
  const next = page.data?.nextCursor ?? null;
  return (
    <>
      {page.isError ? <p role="alert">{page.error.message}</p> : null}
      <table className="grid" data-testid="scans-table" aria-busy={page.isFetching} aria-label={`Scans, page ${cursors.length}`}>
        <thead>
          <tr>
            <th scope="col">Scan</th>
            <th scope="col">Kind</th>
            <th scope="col">Targets</th>
            <th scope="col">State</th>
            <th scope="col">Progress</th>
            <th scope="col">Requested by</th>
            <th scope="col">Started</th>
            <th scope="col">Finished</th>
            <th scope="col">Findings</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {items.map((scan) => (
            <tr key={scan.id} data-scan={scan.id} data-state={scan.state}>
              <td>
                <Link to={`/scans/${scan.id}`}>Scan {scan.id}</Link>
              </td>
              <td>{scan.kind}</td>
              <td>
                <TargetList targets={scan.targets ?? []} />
              </td>
              <td>{scan.state}</td>
              <td className="muted">
                {unsettled(scan.state)
                  ? progressParts(scan.progress).map(([name, value]) => (
                      <span key={name}>
                        {name} <VisibleText text={value} />{' '}
                      </span>
                    ))
                  : null}
              </td>
              <td>
                <RequestedBy by={scan.requestedBy} />
              </td>
              <td>
                <When at={scan.startedAt} />
              </td>
              <td>
                <When at={scan.finishedAt} />
              </td>
              <td>{scan.findings ?? '–'}</td>
              <td className="error">{scan.error === undefined ? null : <VisibleText text={scan.error} />}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!page.isPending && items.length === 0 ? <p>No scan matches these filters.</p> : null}
      <nav className="pager" aria-label="Pages">
        <button type="button" disabled={cursors.length <= 1 || page.isFetching} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous
        </button>
        <span aria-live="polite">Page {cursors.length}</span>
        <button type="button" disabled={next === null || page.isFetching} onClick={() => setCursors([...cursors, next ?? undefined])}>
          Next
        </button>
      </nav>
    </>
  );
}

/** Who asked for a scan: a user or token name as text, or a link to the schedules for a scheduled scan. */
export function RequestedBy(props: { readonly by: string | undefined }) {
  const schedule = /^schedule:(\d+)$/.exec(props.by ?? '')?.[1];
  if (schedule !== undefined) return <Link to="/schedules">schedule {schedule}</Link>;
  return <VisibleText text={props.by ?? ''} />;
}

/** A scan's targets as text (they are what a user typed: never links), the first few with a count of the rest. */
export function TargetList(props: { readonly targets: readonly string[]; readonly shown?: number }) {
  const shown = props.shown ?? 3;
  return (
    <ul className="targets">
      {props.targets.slice(0, shown).map((target, index) => (
        <li key={index}>
          <VisibleText text={target} />
        </li>
      ))}
      {props.targets.length > shown ? <li className="muted">and {props.targets.length - shown} more</li> : null}
    </ul>
  );
}

/** Starts a scan and goes to its page, where its progress and log show. */
function NewScanForm() {
  const queryClient = useQueryClient();
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const request = scanRequestOf(new FormData(event.currentTarget));
    if ('problem' in request) {
      setProblem(request.problem);
      return;
    }
    setBusy(true);
    const result = await api.POST('/api/v1/scans', { body: request });
    setBusy(false);
    if (result.error !== undefined || result.data?.id === undefined) {
      setProblem(errorMessage(result.error));
      return;
    }
    // The list read before holds no such scan and, with nothing unsettled on it, would not ask again while fresh.
    void queryClient.invalidateQueries({ queryKey: ['scans'] });
    navigate(`/scans/${result.data.id}`);
  };
  return (
    <details className="new-scan">
      <summary>New scan</summary>
      <form onSubmit={(event) => void submit(event)} aria-label="New scan">
        <ScanRequestFields cols={60} />
        <button type="submit" disabled={busy}>
          Start scan
        </button>
        {problem === undefined ? null : (
          <p role="alert" className="error" data-testid="new-scan-problem">
            <VisibleText text={problem} />
          </p>
        )}
      </form>
    </details>
  );
}
