import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable, type RowSelectionState, type VisibilityState } from '@tanstack/react-table';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, errorMessage, unwrap, type ListedFinding } from '../api/client.js';
import { FILTER_KEYS, FILTER_LABELS, filtersFromSearch, findingsHref, rememberedFilters, rememberFilters, searchOf, SEVERITIES, STATUSES, type Filters } from '../app/finding-filters.js';
import { useRemembered } from '../app/remembered.js';
import { navigate, useLocation } from '../app/router.js';
import { can, useSession } from '../app/session.js';
import { LabelledSelect } from '../components/labelled-select.js';
import { Link } from '../components/link.js';
import { endOfDay, TriageFields, type TriageStateName } from '../components/triage-fields.js';
import { VisibleText } from '../components/visible-text.js';
import { AssetDetails } from './assets-page.js';

/** Rows per page. */
const PAGE_SIZE = 50;

const column = createColumnHelper<ListedFinding>();

/** Columns a user may hide; the choice is remembered. */
const OPTIONAL_COLUMNS = ['label', 'risk', 'severity', 'asset', 'rule', 'status', 'triage', 'lastRecorded'] as const;
const COLUMN_NAMES: Readonly<Record<(typeof OPTIONAL_COLUMNS)[number], string>> = { label: 'Priority', risk: 'Risk', severity: 'Severity', asset: 'Asset', rule: 'Rule', status: 'Status', triage: 'Triage', lastRecorded: 'Last found' };

const isVisibility = (value: unknown): value is VisibilityState => typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'boolean');

/** The findings list: filters in the URL (and remembered), pages by cursor, bulk triage, export. */
export function FindingsPage(props: { readonly asset?: string }) {
  const { search } = useLocation();
  const urlFilters = filtersFromSearch(search);
  const filters: Filters = props.asset === undefined ? urlFilters : { ...urlFilters, asset: props.asset };
  const empty = FILTER_KEYS.every((key) => urlFilters[key] === undefined);
  // A bare /findings opens with the filters used last; a link with filters always wins.
  useEffect(() => {
    if (!empty || props.asset !== undefined) return;
    const remembered = rememberedFilters();
    if (Object.keys(remembered).length > 0) navigate(findingsHref(remembered), { replace: true });
  }, [empty, props.asset]);
  const key = searchOf(filters);
  useEffect(() => rememberFilters(filtersFromSearch(new URLSearchParams(key))), [key]);
  return (
    <section aria-labelledby="findings-title">
      <h1 id="findings-title">
        Findings
        {props.asset === undefined ? null : (
          <>
            {' '}
            on <VisibleText text={props.asset} />
          </>
        )}
      </h1>
      {props.asset === undefined ? null : <AssetDetails asset={props.asset} />}
      <FilterForm key={`filters${key}`} filters={filters} />
      <FindingTable key={`table${key}`} filters={filters} />
    </section>
  );
}

function FilterForm(props: { readonly filters: Filters }) {
  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next: Filters = {};
    for (const key of FILTER_KEYS) {
      const value = form.get(key);
      if (typeof value === 'string' && value.trim() !== '') next[key] = value.trim();
    }
    navigate(findingsHref(next));
  };
  const select = (name: 'status' | 'label' | 'severity', label: string, options: readonly string[]) => (
    <LabelledSelect
      name={name}
      label={label}
      options={options}
      value={props.filters[name]}
      empty={name === 'status' ? 'open (default)' : 'any'}
      onChange={(event) => event.currentTarget.form?.requestSubmit()}
    />
  );
  return (
    <form className="filters" onSubmit={apply} role="search" aria-label="Filter findings">
      {select('status', 'Status', STATUSES)}
      {select('label', 'Priority', FILTER_LABELS)}
      {select('severity', 'Severity', SEVERITIES)}
      <label>
        Asset
        <input name="asset" defaultValue={props.filters.asset ?? ''} maxLength={1000} />
      </label>
      <label>
        Rule
        <input name="rule" defaultValue={props.filters.rule ?? ''} maxLength={300} />
      </label>
      <label>
        Text
        <input name="q" type="search" defaultValue={props.filters.q ?? ''} maxLength={200} />
      </label>
      {/* The day ranges come from the dashboard's links; shown (and kept on Apply) only when set. */}
      {(['openedIn', 'fixedIn'] as const).map((name) =>
        props.filters[name] === undefined ? null : (
          <label key={name}>
            {name === 'openedIn' ? 'New or reopened in' : 'Fixed in'}
            <input name={name} defaultValue={props.filters[name]} pattern="\d{4}-\d{2}-\d{2}/\d{4}-\d{2}-\d{2}" title="YYYY-MM-DD/YYYY-MM-DD, the end day excluded" maxLength={21} />
          </label>
        ),
      )}
      <button type="submit">Apply</button>
      <button
        type="button"
        onClick={() => {
          rememberFilters({});
          navigate('/findings');
        }}
      >
        Clear
      </button>
    </form>
  );
}

function FindingTable(props: { readonly filters: Filters }) {
  const user = useSession();
  const queryClient = useQueryClient();
  // Page 1 has no cursor; each "next" pushes the page's nextCursor, each "previous" pops one.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const query = { ...props.filters, limit: PAGE_SIZE, ...(cursor === undefined ? {} : { cursor }) } as { status?: 'all'; limit: number; cursor?: string };
  const page = useQuery({
    queryKey: ['findings', props.filters, cursor],
    queryFn: async () => unwrap(await api.GET('/api/v1/findings', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  const [visibility, setVisibility] = useRemembered<VisibilityState>('w3guard.findings.columns', {}, isVisibility);
  const [selection, setSelection] = useState<RowSelectionState>({});
  const operator = can(user, 'operator');
  const columns = useMemo(
    () => [
      ...(operator
        ? [
            column.display({
              id: 'select',
              header: ({ table }) => <input type="checkbox" aria-label="Select every finding on this page" checked={table.getIsAllRowsSelected()} onChange={table.getToggleAllRowsSelectedHandler()} />,
              cell: ({ row }) => <input type="checkbox" aria-label={`Select ${row.original.fingerprint}`} checked={row.getIsSelected()} onChange={row.getToggleSelectedHandler()} />,
            }),
          ]
        : []),
      column.accessor((f) => f.priority?.label ?? 'none', { id: 'label', header: 'Priority', cell: (c) => <span className={`label label-${c.getValue()}`}>{c.getValue()}</span> }),
      column.accessor((f) => f.risk, { id: 'risk', header: 'Risk', cell: (c) => c.getValue() ?? '–' }),
      column.accessor('severity', { id: 'severity', header: 'Severity' }),
      column.accessor('title', {
        id: 'title',
        header: 'Title',
        cell: (c) => (
          <Link to={`/findings/${encodeURIComponent(c.row.original.fingerprint)}`}>
            <VisibleText text={c.getValue()} />
          </Link>
        ),
      }),
      column.accessor('asset', { id: 'asset', header: 'Asset', cell: (c) => <VisibleText text={c.getValue()} /> }),
      column.accessor('ruleId', { id: 'rule', header: 'Rule', cell: (c) => <VisibleText text={c.getValue()} /> }),
      column.accessor((f) => (f.suppressed === true ? 'suppressed' : f.status), { id: 'status', header: 'Status' }),
      column.accessor((f) => f.triage?.state ?? '', { id: 'triage', header: 'Triage' }),
      column.accessor((f) => f.lastRecorded?.slice(0, 10) ?? '', { id: 'lastRecorded', header: 'Last found' }),
    ],
    [operator],
  );
  const items = page.data?.items ?? [];
  const table = useReactTable({
    data: items,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (row) => row.fingerprint,
    manualPagination: true,
    manualFiltering: true,
    manualSorting: true,
    enableRowSelection: operator,
    state: { columnVisibility: visibility, rowSelection: selection },
    onColumnVisibilityChange: (updater) => setVisibility(typeof updater === 'function' ? updater(visibility) : updater),
    onRowSelectionChange: setSelection,
  });
  const next = page.data?.nextCursor ?? null;
  const pageNumber = cursors.length;
  const selected = Object.keys(selection).filter((key) => selection[key] === true);
  const exportSearch = searchOf(props.filters);
  const exportHref = (format: string) => `/api/v1/findings/export${exportSearch === '' ? '?' : `${exportSearch}&`}format=${format}`;
  return (
    <>
      <div className="toolbar">
        <details className="columns">
          <summary>Columns</summary>
          {OPTIONAL_COLUMNS.map((id) => (
            <label key={id}>
              <input type="checkbox" checked={visibility[id] !== false} onChange={(event) => setVisibility({ ...visibility, [id]: event.currentTarget.checked })} />
              {COLUMN_NAMES[id]}
            </label>
          ))}
        </details>
        <span className="export">
          Export this filtered set:{' '}
          <a href={exportHref('csv')} download data-testid="export-csv">
            CSV
          </a>{' '}
          <a href={exportHref('json')} download data-testid="export-json">
            JSON
          </a>{' '}
          <a href={exportHref('sarif')} download data-testid="export-sarif">
            SARIF
          </a>
        </span>
      </div>
      {operator ? <BulkPanel filters={props.filters} fingerprints={selected} onDone={() => { setSelection({}); void queryClient.invalidateQueries({ queryKey: ['findings'] }); }} /> : null}
      {page.isError ? <p role="alert">{page.error.message}</p> : null}
      <table className="grid" data-testid="findings-table" data-filter={searchOf(props.filters)} data-page={pageNumber} aria-busy={page.isFetching} aria-label={`Findings, page ${pageNumber}`}>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th key={header.id} scope="col">
                  {header.isPlaceholder ? null : flexRender(header.column.columnDef.header, header.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id} data-fingerprint={row.id}>
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {!page.isPending && items.length === 0 ? <p>No finding matches these filters.</p> : null}
      <nav className="pager" aria-label="Pages">
        <button type="button" disabled={cursors.length <= 1 || page.isFetching} onClick={() => { setCursors(cursors.slice(0, -1)); setSelection({}); }}>
          Previous
        </button>
        <span aria-live="polite">Page {pageNumber}</span>
        <button type="button" disabled={next === null || page.isFetching} onClick={() => { setCursors([...cursors, next ?? undefined]); setSelection({}); }}>
          Next
        </button>
      </nav>
    </>
  );
}


/** Triage and/or suppress the selected findings, or every finding the filters match, in one request. */
function BulkPanel(props: { readonly filters: Filters; readonly fingerprints: readonly string[]; readonly onDone: () => void }) {
  const [message, setMessage] = useState<string>();
  // A change to every finding matching the filters may touch thousands: it is applied on a second, confirming click.
  const [confirming, setConfirming] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const state = String(form.get('state') ?? '');
    const reason = String(form.get('reason') ?? '').trim();
    const until = String(form.get('until') ?? '');
    const everything = form.get('scope') === 'filter';
    if (state === '' && reason === '') {
      setMessage('Choose a triage state or give a suppression reason.');
      return;
    }
    if (!everything && props.fingerprints.length === 0) {
      setMessage('Select findings first, or choose every finding matching the filters.');
      return;
    }
    if (everything && !confirming) {
      setConfirming(true);
      setMessage('This changes every finding matching the filters, on every page. Apply again to confirm.');
      return;
    }
    setConfirming(false);
    const comment = String(form.get('comment') ?? '').trim();
    const body = {
      ...(everything ? { filter: props.filters as Record<string, never> } : { fingerprints: [...props.fingerprints] }),
      ...(state === '' ? {} : { triage: { state: state as TriageStateName, ...(comment === '' ? {} : { comment }) } }),
      ...(reason === '' ? {} : { suppression: { reason, ...(until === '' ? {} : { until: endOfDay(until) }) } }),
    };
    const result = await api.POST('/api/v1/findings/bulk', { body });
    if (result.error !== undefined || result.data === undefined) {
      setMessage(errorMessage(result.error));
      return;
    }
    setMessage(`${result.data.count ?? 0} findings changed.`);
    props.onDone();
  };
  return (
    <form className="bulk" onSubmit={(event) => void submit(event)} onChange={() => setConfirming(false)} aria-label="Change several findings">
      <fieldset>
        <legend>Triage or suppress</legend>
        <label>
          <input type="radio" name="scope" value="selected" defaultChecked /> the {props.fingerprints.length} selected
        </label>
        <label>
          <input type="radio" name="scope" value="filter" /> every finding matching the filters
        </label>
        <TriageFields defaultState="" noChange />
        <label>
          Suppress, because
          <input name="reason" maxLength={2000} />
        </label>
        <label>
          until
          <input name="until" type="date" />
        </label>
        <button type="submit">{confirming ? 'Confirm: change all matching' : 'Apply'}</button>
        {message === undefined ? null : (
          <span role="status" data-testid="bulk-result">
            {message}
          </span>
        )}
      </fieldset>
    </form>
  );
}
