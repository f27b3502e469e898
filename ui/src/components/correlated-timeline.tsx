import { useQueries } from '@tanstack/react-query';
import { api, type Finding } from '../api/client.js';
import { Link } from './link.js';
import { VisibleText } from './visible-text.js';

/** At most this many related findings are read for one page; the rest are counted. */
const SHOWN = 25;

/** When a finding happened, for ordering a story: its first evidence time, else when it was first recorded. */
function momentOf(finding: Finding): string {
  return finding.firstSeen ?? finding.firstRecorded ?? '';
}

/**
 * The correlated timeline: this finding and the ones a run joined it with into one story (a log line, the file it
 * wrote, the event that followed), oldest first, each a link to its own page. A related finding the user may not
 * see (outside their asset scope) or that no longer exists is counted, not named.
 */
export function CorrelatedTimeline(props: { readonly finding: Finding }) {
  const related = (props.finding.related ?? []).filter((fingerprint) => fingerprint !== props.finding.fingerprint);
  const shown = related.slice(0, SHOWN);
  const results = useQueries({
    queries: shown.map((fingerprint) => ({
      queryKey: ['finding', fingerprint],
      queryFn: async () => {
        const result = await api.GET('/api/v1/findings/{fingerprint}', { params: { path: { fingerprint } } });
        return result.data ?? null;
      },
    })),
  });
  if (related.length === 0) return null;
  const pending = results.some((result) => result.isPending);
  const found = results.map((result) => result.data).filter((f): f is Finding => f !== undefined && f !== null);
  const story = [props.finding, ...found].sort((a, b) => momentOf(a).localeCompare(momentOf(b)) || a.fingerprint.localeCompare(b.fingerprint));
  const hidden = shown.length - found.length - results.filter((result) => result.isPending).length + (related.length - shown.length);
  return (
    <section aria-labelledby="timeline">
      <h2 id="timeline">Correlated timeline</h2>
      <ol className="timeline" data-testid="timeline" aria-busy={pending}>
        {story.map((f) => (
          <li key={f.fingerprint} className={f.fingerprint === props.finding.fingerprint ? 'current' : undefined} aria-current={f.fingerprint === props.finding.fingerprint ? 'true' : undefined}>
            <span className="when">{momentOf(f) || '–'}</span>{' '}
            {f.fingerprint === props.finding.fingerprint ? (
              <strong>
                <VisibleText text={f.title} />
              </strong>
            ) : (
              <Link to={`/findings/${encodeURIComponent(f.fingerprint)}`}>
                <VisibleText text={f.title} />
              </Link>
            )}{' '}
            on <VisibleText text={f.asset} /> <span className="muted">({f.engine}, <VisibleText text={f.ruleId} />)</span>
          </li>
        ))}
      </ol>
      {hidden > 0 ? <p className="muted">{hidden} more related finding{hidden === 1 ? '' : 's'} not shown (outside your assets, removed, or beyond the first {SHOWN}).</p> : null}
    </section>
  );
}
