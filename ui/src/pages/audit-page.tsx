import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap, type AuditEntry } from '../api/client.js';
import { IdPager, LOG_PAGE, pageOf, useIdPages } from '../components/id-pager.js';
import { VisibleText } from '../components/visible-text.js';

/** The audit log, newest first, a page at a time: who did what to what, from where. */
export function AuditPage() {
  const pages = useIdPages();
  const log = useQuery({
    queryKey: ['audit', pages.before],
    queryFn: async () => unwrap(await api.GET('/api/v1/audit', { params: { query: { limit: LOG_PAGE + 1, ...(pages.before === undefined ? {} : { before: pages.before }) } } })).items ?? [],
    placeholderData: keepPreviousData,
  });
  const { rows, nextBefore } = pageOf<AuditEntry>(log.data ?? []);
  return (
    <section>
      <h1>Audit log</h1>
      {log.isError ? <p role="alert">{log.error.message}</p> : null}
      {log.isPending ? <p className="loading">Loading the audit log…</p> : null}
      {rows.length === 0 ? null : (
        <table className="grid" data-testid="audit" aria-busy={log.isFetching}>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Detail</th>
              <th scope="col">From</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((entry) => (
              <tr key={entry.id} data-audit={entry.id}>
                <td>{entry.at}</td>
                <td>
                  <VisibleText text={entry.actor ?? ''} />
                </td>
                <td>{entry.action}</td>
                <td>
                  <VisibleText text={entry.target ?? ''} />
                </td>
                <td>
                  <VisibleText text={entry.detail === undefined ? '' : JSON.stringify(entry.detail)} />
                </td>
                <td>
                  <VisibleText text={entry.ip ?? ''} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <IdPager pages={pages} nextBefore={nextBefore} busy={log.isFetching} />
    </section>
  );
}
