import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.js';
import { findingsHref } from '../app/finding-filters.js';
import { Link } from '../components/link.js';
import { OpenChart } from '../components/open-chart.js';
import { VisibleText } from '../components/visible-text.js';
import { assetHref } from './assets-page.js';

const REASONS: Readonly<Record<string, string>> = { incident: 'incident', due: 'due', 'kev-exposed': 'KEV, internet-facing', reopened: 'reopened' };

/**
 * What to act on now, open findings by label and over time, new against fixed per week, time to fix, the
 * riskiest assets, and how fresh the data is (feeds, assets not scanned lately, failing schedules). Every count
 * links to the findings list with the filter that shows exactly those findings.
 */
export function DashboardPage() {
  const dashboard = useQuery({ queryKey: ['dashboard'], queryFn: async () => unwrap(await api.GET('/api/v1/dashboard')), refetchInterval: 60_000 });
  if (dashboard.isPending) return <p className="loading">Loading the dashboard…</p>;
  if (dashboard.isError) return <p role="alert">{dashboard.error.message}</p>;
  const data = dashboard.data;
  return (
    <div className="dashboard" data-testid="dashboard">
      <h1>Dashboard</h1>
      <section aria-labelledby="by-label">
        <h2 id="by-label">
          Open findings:{' '}
          <Link to={findingsHref({})} data-testid="open-total">
            {data.openTotal}
          </Link>
        </h2>
        <ul className="counts">
          {Object.entries(data.openByLabel).map(([label, count]) => (
            <li key={label} className={`label-${label}`}>
              <Link to={findingsHref({ label })} data-testid={`count-${label}`}>
                <span className="count">{count}</span> <span className="what">{label}</span>
              </Link>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="act-now">
        <h2 id="act-now">
          Act now <span className="muted">({data.actNow.items.length} of <span data-testid="act-now-total">{data.actNow.total}</span>)</span>
        </h2>
        {data.actNow.items.length === 0 ? (
          <p>Nothing needs action today.</p>
        ) : (
          <ol className="act-now" data-testid="act-now">
            {data.actNow.items.map((item) => (
              <li key={item.fingerprint}>
                <Link to={`/findings/${encodeURIComponent(item.fingerprint)}`}>
                  <VisibleText text={item.title} />
                </Link>{' '}
                on <VisibleText text={item.asset} /> <span className={`label label-${item.label}`}>{item.label}</span>{' '}
                {item.reasons.map((reason) => (
                  <span key={reason} className="reason">
                    {REASONS[reason] ?? reason}
                  </span>
                ))}
                {item.dueAt === undefined ? null : <span className="muted"> due {item.dueAt.slice(0, 10)}</span>}
              </li>
            ))}
          </ol>
        )}
      </section>
      <section aria-labelledby="trend">
        <h2 id="trend">Open findings over {data.series.days.length} days</h2>
        <OpenChart days={data.series.days} labels={data.series.labels} />
        <p className="legend">
          {data.series.labels.map(({ label, counts }) => (
            <Link key={label} to={findingsHref({ label })} className={`label label-${label}`}>
              {label}: {counts.at(-1) ?? 0}
            </Link>
          ))}
        </p>
      </section>
      <section aria-labelledby="weekly">
        <h2 id="weekly">New against fixed, per week</h2>
        <table className="grid" data-testid="weekly">
          <thead>
            <tr>
              <th scope="col">Week of</th>
              <th scope="col">New or reopened</th>
              <th scope="col">Fixed</th>
            </tr>
          </thead>
          <tbody>
            {data.weekly.map((week) => {
              const range = `${week.from}/${week.to}`;
              return (
                <tr key={week.from} data-week={week.from}>
                  <th scope="row">{week.from}</th>
                  <td>
                    <Link to={findingsHref({ status: 'all', openedIn: range })} data-testid={`opened-${week.from}`}>
                      {week.opened}
                    </Link>
                  </td>
                  <td>
                    <Link to={findingsHref({ status: 'all', fixedIn: range })} data-testid={`fixed-${week.from}`}>
                      {week.fixed}
                    </Link>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="time-to-fix">
        <h2 id="time-to-fix">
          Time to fix, findings fixed from {data.timeToFix.from} to today
        </h2>
        <p className="muted">Days from a finding's opening (new, or its latest reopening) to its fix, by its current priority.</p>
        <table className="grid" data-testid="time-to-fix">
          <thead>
            <tr>
              <th scope="col">Priority</th>
              <th scope="col">Fixed</th>
              <th scope="col">Median days</th>
              <th scope="col">90th percentile days</th>
            </tr>
          </thead>
          <tbody>
            {data.timeToFix.labels.map((row) => (
              <tr key={row.label}>
                <th scope="row">
                  <span className={`label label-${row.label}`}>{row.label}</span>
                </th>
                <td>
                  <Link to={findingsHref({ status: 'all', label: row.label, fixedIn: `${data.timeToFix.from}/${data.timeToFix.to}` })} data-testid={`ttf-${row.label}`}>
                    {row.fixed}
                  </Link>
                </td>
                <td>{row.medianDays ?? '–'}</td>
                <td>{row.p90Days ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="top-assets">
        <h2 id="top-assets">Assets by open risk</h2>
        <table className="grid" data-testid="top-assets">
          <thead>
            <tr>
              <th scope="col">Asset</th>
              <th scope="col">Open</th>
              <th scope="col">Risk (sum)</th>
              <th scope="col">Highest</th>
            </tr>
          </thead>
          <tbody>
            {data.topAssets.map((asset) => (
              <tr key={asset.asset}>
                <th scope="row">
                  <Link to={assetHref(asset.asset)}>
                    <VisibleText text={asset.asset} />
                  </Link>
                </th>
                <td>
                  <Link to={findingsHref({ asset: asset.asset })}>{asset.open}</Link>
                </td>
                <td>{Math.round(asset.riskSum)}</td>
                <td>{asset.maxRisk}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="freshness">
        <h2 id="freshness">Freshness</h2>
        <ul className="feeds" data-testid="feeds">
          {(['kev', 'epss'] as const).map((feed) => {
            const dated = data.freshness.feeds[feed];
            const name = feed === 'kev' ? 'KEV catalogue' : 'EPSS scores';
            return (
              <li key={feed} data-testid={`feed-${feed}`} data-stale={dated?.stale === true ? 'true' : 'false'}>
                {dated === undefined ? (
                  <>{name}: no recorded run says which it judged by.</>
                ) : (
                  <>
                    {name} of <time dateTime={dated.date}>{dated.date}</time> ({dated.ageDays} days old)
                    {dated.stale ? <strong className="stale"> stale: run “w3guard feeds update”</strong> : null}
                  </>
                )}
              </li>
            );
          })}
        </ul>
        <p data-testid="not-scanned">
          <a href="#freshness-assets">
            <span className="count">{data.freshness.notScanned.count}</span> assets
          </a>{' '}
          not scanned since {data.freshness.notScanned.since.slice(0, 10)} (or never).
        </p>
        {data.freshness.failingSchedules.length === 0 ? (
          <p>No schedule is failing.</p>
        ) : (
          <ul className="failing" data-testid="failing-schedules">
            {data.freshness.failingSchedules.map((schedule) => (
              <li key={schedule.id}>
                <Link to="/schedules">Schedule {schedule.id}</Link> ({schedule.kind}, <code>{schedule.cron}</code>) failed{schedule.lastRunAt === undefined ? '' : ` at ${schedule.lastRunAt}`}: <VisibleText text={schedule.lastError} />
              </li>
            ))}
          </ul>
        )}
        <table className="grid" id="freshness-assets" data-testid="freshness-assets">
          <thead>
            <tr>
              <th scope="col">Asset (stalest first)</th>
              <th scope="col">Last scanned</th>
              <th scope="col">Last found anything</th>
            </tr>
          </thead>
          <tbody>
            {data.freshness.assets.map((asset) => (
              <tr key={asset.asset}>
                <th scope="row">
                  <Link to={findingsHref({ asset: asset.asset, status: 'all' })}>
                    <VisibleText text={asset.asset} />
                  </Link>
                </th>
                <td>
                  {asset.lastScan ?? 'never'}
                  {asset.lastScan === undefined || asset.lastScan < data.freshness.notScanned.since ? <strong className="stale"> not scanned lately</strong> : null}
                </td>
                <td>{asset.lastFound ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
