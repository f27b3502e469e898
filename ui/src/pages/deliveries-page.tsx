import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Delivery } from '../api/client.js';
import { IdPager, LOG_PAGE, pageOf, useIdPages } from '../components/id-pager.js';
import { Link } from '../components/link.js';
import { VisibleText, visibleString } from '../components/visible-text.js';

const STATES = ['pending', 'failed', 'sent', 'dead'] as const;
type DeliveryState = (typeof STATES)[number];

/** Channel names by id, to show a delivery's channel by name (a deleted channel keeps its number). */
function useChannelNames(): ReadonlyMap<number, string> {
  const channels = useQuery({ queryKey: ['channels'], queryFn: async () => unwrap(await api.GET('/api/v1/channels')).items });
  return new Map((channels.data ?? []).map((channel) => [channel.id, channel.name]));
}

/** The receiver's last answer: its status and our error text, which can quote the receiver (hostile text). */
function LastAnswer(props: { readonly status: number | undefined; readonly error: string | undefined }) {
  return (
    <>
      {props.status === undefined ? null : <span className="status">{props.status}</span>}
      {props.status !== undefined && props.error !== undefined ? ' ' : null}
      {props.error === undefined ? null : <VisibleText text={props.error} />}
      {props.status === undefined && props.error === undefined ? '–' : null}
    </>
  );
}

/** The delivery log, newest first, a page at a time: state, attempts, the receiver's last answer and latency. */
export function DeliveriesPage() {
  const [state, setState] = useState<DeliveryState | ''>('');
  const [channel, setChannel] = useState('');
  const pages = useIdPages();
  const names = useChannelNames();
  const log = useQuery({
    queryKey: ['deliveries', state, channel, pages.before],
    queryFn: async () =>
      unwrap(
        await api.GET('/api/v1/deliveries', {
          params: { query: { limit: LOG_PAGE + 1, ...(pages.before === undefined ? {} : { before: pages.before }), ...(state === '' ? {} : { state }), ...(channel === '' ? {} : { channel: Number(channel) }) } },
        }),
      ).items,
    placeholderData: keepPreviousData,
  });
  const { rows, nextBefore } = pageOf<Delivery>(log.data ?? []);
  return (
    <section>
      <h1>Delivery log</h1>
      <p>
        Every notification sent or being retried, newest first. <Link to="/admin/notifications">Channels and rules</Link>
      </p>
      <div className="filters">
        <label>
          State
          <select value={state} onChange={(event) => { setState(event.target.value as DeliveryState | ''); pages.reset(); }}>
            <option value="">any</option>
            {STATES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
        <label>
          Channel
          <select value={channel} onChange={(event) => { setChannel(event.target.value); pages.reset(); }}>
            <option value="">any</option>
            {[...names].map(([id, name]) => (
              <option key={id} value={id}>
                {visibleString(name)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {log.isError ? <p role="alert">{log.error.message}</p> : null}
      {log.isPending ? <p className="loading">Loading the delivery log…</p> : null}
      {log.isSuccess && rows.length === 0 ? <p>No delivery yet.</p> : null}
      {rows.length === 0 ? null : (
        <table className="grid" data-testid="deliveries" aria-busy={log.isFetching}>
          <thead>
            <tr>
              <th scope="col">Delivery</th>
              <th scope="col">Created</th>
              <th scope="col">Channel</th>
              <th scope="col">Event</th>
              <th scope="col">State</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last answer</th>
              <th scope="col">Latency</th>
              <th scope="col">Sent / next attempt</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((delivery) => (
              <tr key={delivery.id} data-delivery={delivery.id} data-state={delivery.state}>
                <td>
                  <Link to={`/admin/deliveries/${delivery.id}`}>{delivery.id}</Link>
                </td>
                <td>{delivery.createdAt}</td>
                <td>
                  <VisibleText text={names.get(delivery.channelId) ?? `channel ${delivery.channelId}`} />
                </td>
                <td>
                  {delivery.eventType}
                  {delivery.eventCount > 1 ? ` ×${delivery.eventCount}` : ''}
                </td>
                <td>{delivery.state}</td>
                <td>{delivery.attempts}</td>
                <td className="answer">
                  <LastAnswer status={delivery.lastStatus} error={delivery.lastError} />
                </td>
                <td>{delivery.latencyMs === undefined ? '–' : `${delivery.latencyMs} ms`}</td>
                <td>{delivery.sentAt ?? delivery.nextAttemptAt ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <IdPager pages={pages} nextBefore={nextBefore} busy={log.isFetching} />
    </section>
  );
}

/** One delivery and every attempt at it. */
export function DeliveryPage(props: { readonly id: number }) {
  const names = useChannelNames();
  const delivery = useQuery({ queryKey: ['delivery', props.id], queryFn: async () => unwrap(await api.GET('/api/v1/deliveries/{id}', { params: { path: { id: props.id } } })) });
  if (delivery.isPending) return <p className="loading">Loading the delivery…</p>;
  if (delivery.isError) return <p role="alert">{delivery.error.message}</p>;
  const d = delivery.data;
  return (
    <section data-testid="delivery">
      <p>
        <Link to="/admin/deliveries">← Delivery log</Link>
      </p>
      <h1>Delivery {d.id}</h1>
      <dl className="facts">
        <dt>Channel</dt>
        <dd>
          <VisibleText text={names.get(d.channelId) ?? `channel ${d.channelId}`} />
        </dd>
        <dt>Event</dt>
        <dd>
          {d.eventType}
          {d.eventCount > 1 ? ` ×${d.eventCount}` : ''}
        </dd>
        <dt>State</dt>
        <dd data-testid="delivery-state">{d.state}</dd>
        <dt>Message id</dt>
        <dd>
          <code>{d.webhookId}</code>
        </dd>
        <dt>Created</dt>
        <dd>{d.createdAt}</dd>
        {d.sentAt === undefined ? null : (
          <>
            <dt>Sent</dt>
            <dd>{d.sentAt}</dd>
          </>
        )}
        {d.nextAttemptAt === undefined || d.state === 'sent' || d.state === 'dead' ? null : (
          <>
            <dt>Next attempt</dt>
            <dd>{d.nextAttemptAt}</dd>
          </>
        )}
      </dl>
      <h2>Attempts</h2>
      {d.attemptLog.length === 0 ? <p>No attempt yet.</p> : null}
      <table className="grid" data-testid="attempts">
        <thead>
          <tr>
            <th scope="col">Attempt</th>
            <th scope="col">At</th>
            <th scope="col">Answer</th>
            <th scope="col">Latency</th>
          </tr>
        </thead>
        <tbody>
          {d.attemptLog.map((attempt) => (
            <tr key={attempt.attempt}>
              <td>{attempt.attempt}</td>
              <td>{attempt.at}</td>
              <td className="answer">
                <LastAnswer status={attempt.status} error={attempt.error} />
              </td>
              <td>{attempt.latencyMs} ms</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
