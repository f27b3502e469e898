import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api, unwrap } from '../api/client.js';
import { Link } from './link.js';
import { VisibleText } from './visible-text.js';

/** A scan's progress (phase and counts, as its job reports them) as name and text pairs. */
export function progressParts(progress: Readonly<Record<string, unknown>> | undefined): [string, string][] {
  return Object.entries(progress ?? {}).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]);
}

/** A scan, polled every second until it is done or failed; every view of one scan shares this query. */
export function useScan(id: number) {
  return useQuery({
    queryKey: ['scan', id],
    queryFn: async () => unwrap(await api.GET('/api/v1/scans/{id}', { params: { path: { id } } })),
    refetchInterval: (query) => (query.state.data?.state === 'done' || query.state.data?.state === 'failed' ? false : 1_000),
  });
}

/** A scan's live state: polled every second until it is done or failed. */
export function ScanProgress(props: { readonly id: number; readonly onFinished?: () => void }) {
  const scan = useScan(props.id);
  const state = scan.data?.state;
  const finished = state === 'done' || state === 'failed';
  const { onFinished } = props;
  useEffect(() => {
    if (finished) onFinished?.();
  }, [finished, onFinished]);
  if (scan.isError) return <p role="alert">{scan.error.message}</p>;
  const progress = scan.data?.progress;
  return (
    <div className="scan-progress" role="status" aria-live="polite" data-testid="scan-progress" data-state={state ?? 'loading'}>
      <Link to={`/scans/${props.id}`}>Scan {props.id}</Link>: <strong>{state ?? 'loading'}</strong>
      {progressParts(progress).map(([key, value]) => (
        <span key={key} className="muted">
          {' '}
          · {key} <VisibleText text={value} />
        </span>
      ))}
      {scan.data?.verify?.result === undefined ? null : <span data-testid="verify-result"> · the finding is {scan.data.verify.result}</span>}
      {scan.data?.error === undefined ? null : (
        <span className="error">
          {' '}
          · <VisibleText text={scan.data.error} />
        </span>
      )}
    </div>
  );
}
