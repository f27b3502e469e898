import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, errorMessage, unwrap, type Finding } from '../api/client.js';
import { can, useSession } from '../app/session.js';
import { CorrelatedTimeline } from '../components/correlated-timeline.js';
import { Link } from '../components/link.js';
import { ScanProgress } from '../components/scan-progress.js';
import { endOfDay, TriageFields, type TriageStateName } from '../components/triage-fields.js';
import { VisibleText } from '../components/visible-text.js';

type Evidence = NonNullable<Finding['evidence']>[number];
type Priority = NonNullable<Finding['priority']>;

/** One finding: evidence as text, why it ranks where it does, its history, triage, suppression and verify. */
export function FindingPage(props: { readonly fingerprint: string }) {
  const user = useSession();
  const finding = useQuery({
    queryKey: ['finding', props.fingerprint],
    queryFn: async () => unwrap(await api.GET('/api/v1/findings/{fingerprint}', { params: { path: { fingerprint: props.fingerprint } } })),
  });
  if (finding.isPending) return <p className="loading">Loading the finding…</p>;
  if (finding.isError) return <p role="alert">{finding.error.message}</p>;
  const f = finding.data;
  return (
    <article className="finding" data-testid="finding">
      <p>
        <Link to="/findings">← Findings</Link>
      </p>
      <h1>
        <VisibleText text={f.title} />
      </h1>
      <dl className="facts">
        <dt>Status</dt>
        <dd data-testid="status">{f.suppressed === true ? `${f.status} (suppressed)` : f.status}</dd>
        <dt>Priority</dt>
        <dd>
          <span className={`label label-${f.priority?.label ?? 'none'}`}>{f.priority?.label ?? 'none'}</span> risk {f.risk ?? '–'}
          {f.priority?.dueAt === undefined ? null : <> · due {f.priority.dueAt}</>}
        </dd>
        <dt>Severity</dt>
        <dd>{f.severity}</dd>
        <dt>Asset</dt>
        <dd>
          <VisibleText text={f.asset} />
        </dd>
        <dt>Rule</dt>
        <dd>
          <VisibleText text={f.ruleId} />
        </dd>
        <dt>Fingerprint</dt>
        <dd>
          <code>{f.fingerprint}</code>
        </dd>
        {f.triage === undefined ? null : (
          <>
            <dt>Triage</dt>
            <dd>
              {f.triage.state} by <VisibleText text={f.triage.by ?? ''} /> at {f.triage.at}
              {f.triage.comment === undefined ? null : (
                <>
                  : <VisibleText text={f.triage.comment} />
                </>
              )}
            </dd>
          </>
        )}
        {f.suppression === undefined ? null : (
          <>
            <dt>Suppressed</dt>
            <dd>
              <VisibleText text={f.suppression.reason ?? ''} />
              {f.suppression.until === undefined ? ' (until lifted)' : ` until ${f.suppression.until}`}
            </dd>
          </>
        )}
      </dl>
      {f.description === undefined ? null : (
        <p className="description">
          <VisibleText text={f.description} />
        </p>
      )}
      {f.remediation === undefined ? null : (
        <section aria-labelledby="fix">
          <h2 id="fix">How to fix</h2>
          <p className="pre">
            <VisibleText text={f.remediation} />
          </p>
        </section>
      )}
      <EvidenceList evidence={f.evidence ?? []} />
      <CorrelatedTimeline finding={f} />
      {f.priority === undefined ? null : <WhyPriority priority={f.priority} />}
      {can(user, 'operator') ? <FindingActions finding={f} /> : null}
      <section aria-labelledby="history">
        <h2 id="history">History</h2>
        <table className="grid" data-testid="history">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Change</th>
              <th scope="col">Who</th>
              <th scope="col">Note</th>
            </tr>
          </thead>
          <tbody>
            {(f.history ?? []).map((entry, k) => (
              <tr key={k}>
                <td>{entry.at}</td>
                <td>
                  {entry.from ?? '–'} → {entry.to}
                </td>
                <td>{entry.actor === undefined ? (entry.runId === undefined ? '' : `run ${entry.runId}`) : <VisibleText text={entry.actor} />}</td>
                <td>
                  <VisibleText text={entry.note ?? ''} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </article>
  );
}

/** Evidence items, each field as inert text: file and line, path, URL (never a link), and the text itself. */
function EvidenceList(props: { readonly evidence: readonly Evidence[] }) {
  return (
    <section aria-labelledby="evidence">
      <h2 id="evidence">Evidence</h2>
      {props.evidence.length === 0 ? <p>No evidence was kept.</p> : null}
      <ol className="evidence" data-testid="evidence">
        {props.evidence.map((item, k) => (
          <li key={k}>
            <div className="where">
              <span className="kind">{item.kind ?? 'evidence'}</span>
              {item.file === undefined ? null : (
                <span className="file">
                  <VisibleText text={item.file} />
                  {item.line === undefined ? '' : `:${item.line}`}
                </span>
              )}
              {item.path === undefined ? null : (
                <span className="path">
                  <VisibleText text={item.path} />
                </span>
              )}
              {item.url === undefined ? null : (
                <span className="url">
                  <VisibleText text={item.url} />
                </span>
              )}
              {item.time === undefined ? null : <span className="time">{new Date(item.time).toISOString()}</span>}
            </div>
            {item.text === undefined ? null : <EvidenceText text={item.text} />}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** Characters of one evidence text shown before "Show all": a request body can be megabytes. */
const TEXT_PREVIEW = 4_000;

/** An evidence text, long ones cut to a preview the reader can expand. */
function EvidenceText(props: { readonly text: string }) {
  const [all, setAll] = useState(false);
  const long = props.text.length > TEXT_PREVIEW;
  return (
    <>
      <pre className="text">
        <VisibleText text={long && !all ? props.text.slice(0, TEXT_PREVIEW) : props.text} />
        {long && !all ? '…' : null}
      </pre>
      {long ? (
        <button type="button" onClick={() => setAll(!all)}>
          {all ? 'Show less' : `Show all ${props.text.length} characters`}
        </button>
      ) : null}
    </>
  );
}

/** Every input of the priority decision with its value and source, the base-table row, and the modifiers. */
function WhyPriority(props: { readonly priority: Priority }) {
  const p = props.priority;
  return (
    <section aria-labelledby="why">
      <h2 id="why">Why this priority</h2>
      <p>
        Label <strong>{p.label}</strong>, score {p.score}, confidence {p.confidence === undefined ? '–' : `${Math.round(p.confidence * 100)}%`}
        {p.ssvcCisa === undefined ? null : <>, CISA SSVC {p.ssvcCisa}</>}
        {p.decision === undefined ? null : (
          <>
            , from {p.decision.table} row {p.decision.row}
          </>
        )}
        .
      </p>
      <table className="grid" data-testid="priority-inputs">
        <thead>
          <tr>
            <th scope="col">Input</th>
            <th scope="col">Value</th>
            <th scope="col">Source</th>
            <th scope="col">As of</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {(p.inputs ?? []).map((input, k) => (
            <tr key={k}>
              <th scope="row">{input.name}</th>
              <td>
                {String(input.value)}
                {input.assumed === true ? ' (assumed)' : ''}
              </td>
              <td>
                <VisibleText text={input.source ?? ''} />
              </td>
              <td>{input.asOf ?? ''}</td>
              <td>
                <VisibleText text={input.detail ?? ''} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {(p.modifiers ?? []).length === 0 ? null : (
        <ul>
          {(p.modifiers ?? []).map((modifier, k) => (
            <li key={k}>
              {modifier.rule}: {modifier.effect}
              {(modifier.evidence ?? []).length === 0 ? null : <> ({(modifier.evidence ?? []).join(', ')})</>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}


/** Triage, suppression and Verify fix: shown to operators and admins only. */
function FindingActions(props: { readonly finding: Finding }) {
  const queryClient = useQueryClient();
  const [message, setMessage] = useState<string>();
  const [scanId, setScanId] = useState<number>();
  const fingerprint = props.finding.fingerprint;
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['finding', fingerprint] });
  const change = async (event: FormEvent<HTMLFormElement>, kind: 'triage' | 'suppression') => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const body =
      kind === 'triage'
        ? { triage: { state: text('state') as TriageStateName, ...(text('comment') === '' ? {} : { comment: text('comment') }) } }
        : { suppression: { reason: text('reason'), ...(text('until') === '' ? {} : { until: endOfDay(text('until')) }) } };
    const result = await api.PATCH('/api/v1/findings/{fingerprint}', { params: { path: { fingerprint } }, body });
    setMessage(result.error === undefined ? (kind === 'triage' ? 'Triage saved.' : 'Suppressed.') : errorMessage(result.error));
    refresh();
  };
  const verify = async () => {
    const result = await api.POST('/api/v1/findings/{fingerprint}/verify', { params: { path: { fingerprint } } });
    if (result.error !== undefined || result.data?.scanId === undefined) {
      setMessage(errorMessage(result.error));
      return;
    }
    setMessage(undefined);
    setScanId(result.data.scanId);
  };
  return (
    <section aria-labelledby="actions" data-testid="finding-actions">
      <h2 id="actions">Act on it</h2>
      <div className="actions">
        <form onSubmit={(event) => void change(event, 'triage')} aria-label="Triage">
          <TriageFields defaultState={props.finding.triage?.state ?? 'in_triage'} />
          <button type="submit">Save triage</button>
        </form>
        <form onSubmit={(event) => void change(event, 'suppression')} aria-label="Suppress">
          <label>
            Suppress, because
            <input name="reason" required maxLength={2000} />
          </label>
          <label>
            until
            <input name="until" type="date" />
          </label>
          <button type="submit">Suppress</button>
        </form>
        <div>
          <button type="button" onClick={() => void verify()} data-testid="verify">
            Verify fix
          </button>
          {scanId === undefined ? null : <ScanProgress id={scanId} onFinished={refresh} />}
        </div>
      </div>
      {message === undefined ? null : <p role="status">{message}</p>}
    </section>
  );
}
