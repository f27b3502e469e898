import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { api, unwrap } from '../api/client.js';
import { findingsHref } from '../app/finding-filters.js';
import { unsettled } from '../app/scan-kinds.js';
import { Link } from '../components/link.js';
import { ScanProgress, useScan } from '../components/scan-progress.js';
import { VisibleText } from '../components/visible-text.js';
import { When } from '../components/when.js';
import { RequestedBy, TargetList } from './scans-page.js';

/** How often the log is read again while the scan is queued or running. */
const LOG_REFRESH_MS = 1_000;

/** `/scans/{id}` (the deep link notifications use): state, live progress, the failure, the log and the findings it produced. */
export function ScanPage(props: { readonly id: number }) {
  const scan = useScan(props.id);
  const queryClient = useQueryClient();
  // The log's last lines are written as the scan settles: read it once more then.
  const onFinished = useCallback(() => void queryClient.invalidateQueries({ queryKey: ['scan-log', props.id] }), [queryClient, props.id]);
  const data = scan.data;
  return (
    <section aria-labelledby="scan-title">
      <h1 id="scan-title">Scan {props.id}</h1>
      <p>
        <Link to="/scans">All scans</Link>
      </p>
      <ScanProgress id={props.id} onFinished={onFinished} />
      {data === undefined ? null : (
        <>
          {data.state === 'failed' && data.error !== undefined ? (
            <div className="failure" data-testid="scan-error">
              <h2>Why it failed</h2>
              <pre className="text">
                <VisibleText text={data.error} />
              </pre>
            </div>
          ) : null}
          <dl className="facts" data-testid="scan-facts">
            <dt>Kind</dt>
            <dd>{data.kind}</dd>
            <dt>Targets</dt>
            <dd>
              <TargetList targets={data.targets ?? []} shown={50} />
            </dd>
            <dt>Requested by</dt>
            <dd>
              <RequestedBy by={data.requestedBy} />{' '}
              <span className="muted">
                at <When at={data.createdAt} />
              </span>
            </dd>
            <dt>Started</dt>
            <dd>
              <When at={data.startedAt} none="not yet" />
            </dd>
            <dt>Finished</dt>
            <dd>
              <When at={data.finishedAt} none="not yet" />
            </dd>
            <dt>Findings</dt>
            <dd data-testid="scan-findings">
              <ScanFindings scan={data} />
            </dd>
          </dl>
          <ScanLog id={props.id} live={unsettled(data.state)} />
        </>
      )}
    </section>
  );
}

/** Links to what the scan found: each asset's findings (any status, so those fixed since still show), or the verified finding. */
function ScanFindings(props: { readonly scan: NonNullable<ReturnType<typeof useScan>['data']> }) {
  const { scan } = props;
  if (scan.verify?.fingerprint !== undefined) {
    return (
      <>
        {scan.findings ?? '–'} · re-checks <Link to={`/findings/${encodeURIComponent(scan.verify.fingerprint)}`}>the finding</Link>
        {scan.verify.result === undefined ? null : <>, which is {scan.verify.result}</>}
      </>
    );
  }
  if (scan.findings === undefined) return <>none yet</>;
  const assets = scan.findingAssets ?? [];
  if (assets.length === 0) return <>{scan.findings}</>;
  return (
    <>
      {scan.findings} on{' '}
      <ul className="inline" data-testid="scan-finding-links">
        {assets.map((asset) => (
          <li key={asset}>
            <Link to={findingsHref({ asset, status: 'all' })} aria-label={`Findings on ${asset}`}>
              <VisibleText text={asset} />
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}

/** The scan's own log: what it did, oldest line first; read again every second while the scan may still change. */
function ScanLog(props: { readonly id: number; readonly live: boolean }) {
  const log = useQuery({
    queryKey: ['scan-log', props.id],
    queryFn: async () => unwrap(await api.GET('/api/v1/scans/{id}/log', { params: { path: { id: props.id } } })),
    refetchInterval: props.live ? LOG_REFRESH_MS : false,
  });
  return (
    <section aria-labelledby="scan-log-title">
      <h2 id="scan-log-title">Log</h2>
      {log.isError ? <p role="alert">{log.error.message}</p> : null}
      {log.data !== undefined && log.data.items.length === 0 ? <p className="muted">Nothing logged yet: the scan waits for a worker.</p> : null}
      <ol className="scan-log" data-testid="scan-log">
        {(log.data?.items ?? []).map((line, index) => (
          <li key={index} className={`log-${line.level}`} data-level={line.level}>
            <span className="muted">
              <When at={line.at} seconds />
            </span>{' '}
            {line.level === 'info' ? null : <strong>{line.level} </strong>}
            <VisibleText text={line.message} />
          </li>
        ))}
      </ol>
    </section>
  );
}
