import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, errorMessage, unwrap, type Channel, type ChannelKind, type NewRule, type Rule, type RuleEvent, type RuleMode } from '../api/client.js';
import { LABELS, SEVERITIES } from '../app/finding-filters.js';
import { linesOf } from '../components/account-fields.js';
import { ConfirmButton } from '../components/confirm-button.js';
import { Link } from '../components/link.js';
import { VisibleText, visibleString } from '../components/visible-text.js';

/** Every kind the API takes, with what a reader needs to choose it. */
const KINDS: Readonly<Record<ChannelKind, string>> = {
  webhook: 'Webhook (signed, Standard Webhooks)',
  slack: 'Slack incoming webhook',
  teams: 'Microsoft Teams Workflows webhook',
  email: 'E-mail (SMTP)',
  syslog: 'Syslog (TCP or TLS)',
};

/** Every event a rule can match (the test event is only sent by Send test). */
const EVENTS: Readonly<Record<RuleEvent, string>> = {
  'finding.created': 'new finding',
  'finding.reopened': 'finding reopened',
  'finding.fixed': 'finding fixed',
  'finding.label_raised': 'priority raised',
  'finding.overdue': 'finding overdue',
  'incident.opened': 'incident opened',
  'scan.completed': 'scan completed',
  'scan.failed': 'scan failed',
  'verify.completed': 'verify fix completed',
};

const MODES: Readonly<Record<RuleMode, string>> = { instant: 'instant', 'digest:daily': 'daily digest', 'digest:weekly': 'weekly digest' };

/** The outcome of the last Send test, shown above the channels. */
interface TestOutcome {
  readonly name: string;
  readonly ok: boolean;
  readonly text: string;
  readonly deliveryId?: number;
}

/** Notification channels and the rules that route events to them, for admins. */
export function NotificationsPage() {
  const channels = useQuery({ queryKey: ['channels'], queryFn: async () => unwrap(await api.GET('/api/v1/channels')).items });
  const rules = useQuery({ queryKey: ['rules'], queryFn: async () => unwrap(await api.GET('/api/v1/rules')).items });
  return (
    <section>
      <h1>Notifications</h1>
      <p>
        Where w3guard sends what it finds. Secrets (URLs of chat webhooks, signing secrets, passwords) go in and are never shown again. <Link to="/admin/deliveries">Delivery log</Link>
      </p>
      {channels.isPending ? <p className="loading">Loading channels…</p> : channels.isError ? <p role="alert">{channels.error.message}</p> : <Channels channels={channels.data} />}
      {rules.isPending || channels.isPending ? <p className="loading">Loading rules…</p> : rules.isError ? <p role="alert">{rules.error.message}</p> : <Rules rules={rules.data} channels={channels.data ?? []} />}
    </section>
  );
}

function Channels(props: { readonly channels: readonly Channel[] }) {
  const queryClient = useQueryClient();
  const [outcome, setOutcome] = useState<TestOutcome>();
  const [message, setMessage] = useState<string>();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['channels'] });
  const test = async (channel: Channel) => {
    setOutcome(undefined);
    const result = await api.POST('/api/v1/channels/{id}/test', { params: { path: { id: channel.id } } });
    void queryClient.invalidateQueries({ queryKey: ['deliveries'] });
    if (result.data === undefined) {
      setOutcome({ name: channel.name, ok: false, text: errorMessage(result.error) });
      return;
    }
    const status = result.data.status === undefined ? '' : ` (answer ${result.data.status})`;
    setOutcome({ name: channel.name, ok: true, text: `delivered${status} in ${result.data.latencyMs} ms`, deliveryId: result.data.deliveryId });
  };
  const remove = async (channel: Channel) => {
    const result = await api.DELETE('/api/v1/channels/{id}', { params: { path: { id: channel.id } } });
    setMessage(result.response.ok ? 'Channel deleted, with its rules.' : errorMessage(result.error));
    refresh();
    void queryClient.invalidateQueries({ queryKey: ['rules'] });
  };
  return (
    <section aria-labelledby="channels">
      <h2 id="channels">Channels</h2>
      {outcome === undefined ? null : (
        <p role={outcome.ok ? 'status' : 'alert'} className={outcome.ok ? 'ok' : 'error'} data-testid="test-result" data-ok={String(outcome.ok)}>
          Test of <VisibleText text={outcome.name} />: {outcome.ok ? null : 'failed: '}
          <VisibleText text={outcome.text} />
          {outcome.deliveryId === undefined ? null : (
            <>
              {' '}
              (<Link to={`/admin/deliveries/${outcome.deliveryId}`}>delivery {outcome.deliveryId}</Link>)
            </>
          )}
        </p>
      )}
      {props.channels.length === 0 ? (
        <p>No channel yet: add one below.</p>
      ) : (
        <table className="grid" data-testid="channels">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Destination</th>
              <th scope="col">State</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {props.channels.map((channel) => (
              <tr key={channel.id} data-channel={channel.id}>
                <td>
                  <VisibleText text={channel.name} />
                </td>
                <td>{channel.kind}</td>
                <td>
                  <VisibleText text={channel.summary} />
                </td>
                <td>
                  {channel.disabled ? 'disabled' : 'active'}
                  {channel.disabledReason === undefined ? null : (
                    <>
                      : <VisibleText text={channel.disabledReason} />
                    </>
                  )}
                </td>
                <td>
                  {channel.createdAt} by <VisibleText text={channel.createdBy} />
                </td>
                <td className="row-actions">
                  <button type="button" onClick={() => void test(channel)}>
                    Send test
                  </button>
                  <ConfirmButton label="Delete" question="Delete this channel and its rules?" yes="Yes, delete" onConfirm={() => remove(channel)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {message === undefined ? null : <p role="status">{message}</p>}
      <AddChannel onAdded={refresh} />
    </section>
  );
}

/** The configuration of a channel as the form holds it, in the shape the API checks (see docs/notifications.md). */
function configOf(kind: ChannelKind, form: FormData): Record<string, unknown> {
  const text = (name: string) => String(form.get(name) ?? '').trim();
  const optional = (name: string) => (text(name) === '' ? {} : { [name]: text(name) });
  const port = text('port') === '' ? {} : { port: Number(text('port')) };
  switch (kind) {
    case 'webhook':
      return { url: text('url'), secret: text('secret') };
    case 'slack':
    case 'teams':
      return { url: text('url') };
    case 'email':
      return { host: text('host'), ...port, from: text('from'), to: linesOf(text('to'), true), secure: form.get('secure') === 'on', requireTLS: form.get('requireTLS') === 'on', ...optional('username'), ...optional('password'), ...optional('ca') };
    case 'syslog':
      return { host: text('host'), ...port, transport: text('transport'), ...optional('hostname'), ...optional('ca') };
  }
}

/** A new signing secret: `whsec_` and 32 random bytes in base64, as Standard Webhooks receivers expect. */
function newWebhookSecret(): string {
  const bytes = window.crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${window.btoa(String.fromCharCode(...bytes))}`;
}

function AddChannel(props: { readonly onAdded: () => void }) {
  const [kind, setKind] = useState<ChannelKind>('webhook');
  const [secret, setSecret] = useState('');
  const [message, setMessage] = useState<{ readonly ok: boolean; readonly text: string }>();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    const result = await api.POST('/api/v1/channels', { body: { kind, name: String(form.get('name') ?? '').trim(), config: configOf(kind, form) } });
    if (result.error !== undefined) {
      setMessage({ ok: false, text: errorMessage(result.error) });
      return;
    }
    setMessage({ ok: true, text: 'Channel added. Send a test to check it.' });
    element.reset();
    setSecret('');
    props.onAdded();
  };
  return (
    <form className="admin-form" onSubmit={(event) => void submit(event)} aria-labelledby="add-channel" data-testid="add-channel">
      <h3 id="add-channel">Add a channel</h3>
      <label>
        Kind
        <select name="kind" value={kind} onChange={(event) => setKind(event.target.value as ChannelKind)}>
          {Object.entries(KINDS).map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      </label>
      <label>
        Name
        <input name="name" required maxLength={100} />
      </label>
      {kind === 'webhook' || kind === 'slack' || kind === 'teams' ? (
        <label>
          URL
          <input name="url" type="url" required maxLength={2048} size={40} autoComplete="off" />
        </label>
      ) : null}
      {kind === 'webhook' ? (
        <>
          <label>
            Signing secret (whsec_…)
            <input name="secret" required pattern="whsec_[A-Za-z0-9+\/]+={0,2}" size={40} autoComplete="off" spellCheck={false} value={secret} onChange={(event) => setSecret(event.target.value)} />
          </label>
          <button type="button" onClick={() => setSecret(newWebhookSecret())}>
            Generate a secret
          </button>
        </>
      ) : null}
      {kind === 'email' || kind === 'syslog' ? (
        <>
          <label>
            Host
            <input name="host" required maxLength={253} autoComplete="off" />
          </label>
          <label>
            Port ({kind === 'email' ? 'default 587' : 'default 6514 for TLS, 601 for TCP'})
            <input name="port" type="number" min={1} max={65535} />
          </label>
        </>
      ) : null}
      {kind === 'email' ? (
        <>
          <label>
            From
            <input name="from" type="email" required />
          </label>
          <label>
            To (one address a line or comma-separated)
            <textarea name="to" required rows={2} cols={32} />
          </label>
          <label className="check">
            <input name="secure" type="checkbox" /> TLS from the start (port 465)
          </label>
          <label className="check">
            <input name="requireTLS" type="checkbox" /> Require STARTTLS
          </label>
          <label>
            SMTP user name (optional)
            <input name="username" maxLength={256} autoComplete="off" />
          </label>
          <label>
            SMTP password (optional)
            <input name="password" type="password" maxLength={1024} autoComplete="new-password" />
          </label>
        </>
      ) : null}
      {kind === 'syslog' ? (
        <>
          <label>
            Transport
            <select name="transport" defaultValue="tls">
              <option value="tls">TLS (RFC 5425)</option>
              <option value="tcp">plain TCP (RFC 6587)</option>
            </select>
          </label>
          <label>
            HOSTNAME field (optional)
            <input name="hostname" maxLength={255} />
          </label>
        </>
      ) : null}
      {kind === 'email' || kind === 'syslog' ? (
        <label>
          Private CA certificate, PEM (optional)
          <textarea name="ca" rows={2} cols={32} spellCheck={false} />
        </label>
      ) : null}
      <button type="submit">Add channel</button>
      {message === undefined ? null : (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? undefined : 'error'}>
          <VisibleText text={message.text} />
        </p>
      )}
    </form>
  );
}

function Rules(props: { readonly rules: readonly Rule[]; readonly channels: readonly Channel[] }) {
  const queryClient = useQueryClient();
  const [message, setMessage] = useState<{ readonly ok: boolean; readonly text: string }>();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['rules'] });
  const names = new Map(props.channels.map((channel) => [channel.id, channel.name]));
  const remove = async (rule: Rule) => {
    const result = await api.DELETE('/api/v1/rules/{id}', { params: { path: { id: rule.id } } });
    setMessage(result.response.ok ? { ok: true, text: 'Rule deleted.' } : { ok: false, text: errorMessage(result.error) });
    refresh();
  };
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    const text = (name: string) => String(form.get(name) ?? '');
    const events = form.getAll('events').map(String) as RuleEvent[];
    if (events.length === 0) {
      setMessage({ ok: false, text: 'Choose at least one event.' });
      return;
    }
    const tags = linesOf(text('assetTags'), true);
    const body: NewRule = {
      channel: Number(text('channel')),
      events,
      mode: text('mode') as RuleMode,
      ...(text('minLabel') === '' ? {} : { minLabel: text('minLabel') as NonNullable<NewRule['minLabel']> }),
      ...(text('minSeverity') === '' ? {} : { minSeverity: text('minSeverity') as NonNullable<NewRule['minSeverity']> }),
      ...(tags.length === 0 ? {} : { assetTags: tags }),
    };
    const result = await api.POST('/api/v1/rules', { body });
    if (result.error !== undefined) {
      setMessage({ ok: false, text: errorMessage(result.error) });
      return;
    }
    setMessage({ ok: true, text: 'Rule added.' });
    element.reset();
    refresh();
  };
  return (
    <section aria-labelledby="rules">
      <h2 id="rules">Rules</h2>
      {props.rules.length === 0 ? (
        <p>No rule yet: nothing is sent until a rule routes events to a channel.</p>
      ) : (
        <table className="grid" data-testid="rules">
          <thead>
            <tr>
              <th scope="col">Channel</th>
              <th scope="col">Events</th>
              <th scope="col">At least</th>
              <th scope="col">Asset tags</th>
              <th scope="col">Mode</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {props.rules.map((rule) => (
              <tr key={rule.id} data-rule={rule.id}>
                <td>
                  <VisibleText text={names.get(rule.channel) ?? `channel ${rule.channel}`} />
                </td>
                <td>{rule.events.join(', ')}</td>
                <td>{[rule.minLabel === undefined ? null : `label ${rule.minLabel}`, rule.minSeverity === undefined ? null : `severity ${rule.minSeverity}`].filter((part) => part !== null).join(', ') || 'anything'}</td>
                <td>{rule.assetTags.length === 0 ? 'any asset' : <VisibleText text={rule.assetTags.join(', ')} />}</td>
                <td>{rule.mode}</td>
                <td>
                  {rule.createdAt} by <VisibleText text={rule.createdBy} />
                </td>
                <td>
                  <ConfirmButton label="Delete" question="Delete this rule?" yes="Yes, delete" onConfirm={() => remove(rule)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.channels.length === 0 ? (
        <p>Add a channel first: a rule sends to one channel.</p>
      ) : (
        <form className="admin-form" onSubmit={(event) => void submit(event)} aria-labelledby="add-rule" data-testid="add-rule">
          <h3 id="add-rule">Add a rule</h3>
          <label>
            Channel
            <select name="channel" required>
              {props.channels.map((channel) => (
                <option key={channel.id} value={channel.id}>
                  {visibleString(channel.name)} ({channel.kind})
                </option>
              ))}
            </select>
          </label>
          <fieldset>
            <legend>Events</legend>
            {Object.entries(EVENTS).map(([value, text]) => (
              <label key={value} className="check">
                <input type="checkbox" name="events" value={value} /> {text}
              </label>
            ))}
          </fieldset>
          <label>
            Minimum label
            <select name="minLabel" defaultValue="">
              <option value="">any</option>
              {LABELS.map((label) => (
                <option key={label} value={label}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Minimum severity
            <select name="minSeverity" defaultValue="">
              <option value="">any</option>
              {SEVERITIES.map((severity) => (
                <option key={severity} value={severity}>
                  {severity}
                </option>
              ))}
            </select>
          </label>
          <label>
            Asset tags (comma-separated; empty: every asset)
            <input name="assetTags" />
          </label>
          <label>
            Mode
            <select name="mode" defaultValue="instant">
              {Object.entries(MODES).map(([value, text]) => (
                <option key={value} value={value}>
                  {text}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Add rule</button>
        </form>
      )}
      {message === undefined ? null : (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? undefined : 'error'}>
          <VisibleText text={message.text} />
        </p>
      )}
    </section>
  );
}
