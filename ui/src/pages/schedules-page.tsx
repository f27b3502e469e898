import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, errorMessage, unwrap } from '../api/client.js';
import { scanRequestOf } from '../app/scan-kinds.js';
import { can, useSession } from '../app/session.js';
import { ScanRequestFields } from '../components/scan-request-fields.js';
import { VisibleText } from '../components/visible-text.js';
import { When } from '../components/when.js';
import { TargetList } from './scans-page.js';

/** Time zones this browser knows, offered as suggestions; the server decides what is valid. */
function knownTimeZones(): string[] {
  try {
    return ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')];
  } catch {
    return ['UTC'];
  }
}

/** `/schedules`: scans requested on a cron schedule; operators add, pause, resume and delete them. */
export function SchedulesPage() {
  const user = useSession();
  const operator = can(user, 'operator');
  const queryClient = useQueryClient();
  const schedules = useQuery({ queryKey: ['schedules'], queryFn: async () => unwrap(await api.GET('/api/v1/schedules')) });
  const [message, setMessage] = useState<{ readonly text: string; readonly error: boolean }>();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['schedules'] });
  const setEnabled = async (id: number, enabled: boolean) => {
    const result = await api.PATCH('/api/v1/schedules/{id}', { params: { path: { id } }, body: { enabled } });
    setMessage(result.error === undefined ? { text: `Schedule ${id} ${enabled ? 'resumed' : 'paused'}.`, error: false } : { text: errorMessage(result.error), error: true });
    refresh();
  };
  const remove = async (id: number) => {
    const result = await api.DELETE('/api/v1/schedules/{id}', { params: { path: { id } } });
    setMessage(result.error === undefined ? { text: `Schedule ${id} deleted.`, error: false } : { text: errorMessage(result.error), error: true });
    refresh();
  };
  const items = schedules.data?.items ?? [];
  return (
    <section aria-labelledby="schedules-title">
      <h1 id="schedules-title">Schedules</h1>
      {operator ? <NewScheduleForm onCreated={(id) => { setMessage({ text: `Schedule ${id} added.`, error: false }); refresh(); }} /> : null}
      <p role="status" data-testid="schedule-message" className={message?.error === true ? 'error' : undefined}>
        {message === undefined ? null : <VisibleText text={message.text} />}
      </p>
      {schedules.isError ? <p role="alert">{schedules.error.message}</p> : null}
      {schedules.isPending ? <p className="loading">Loading schedules…</p> : null}
      {!schedules.isPending && items.length === 0 ? <p>No schedule yet.</p> : null}
      {items.length === 0 ? null : (
        <table className="grid" data-testid="schedules-table">
          <thead>
            <tr>
              <th scope="col">Schedule</th>
              <th scope="col">Kind</th>
              <th scope="col">Targets</th>
              <th scope="col">Cron</th>
              <th scope="col">Time zone</th>
              <th scope="col">Next run</th>
              <th scope="col">Last run</th>
              <th scope="col">Last error</th>
              <th scope="col">Enabled</th>
              {operator ? <th scope="col">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {items.map((schedule) => (
              <tr key={schedule.id} data-schedule={schedule.id} data-enabled={String(schedule.enabled)}>
                <td>{schedule.id}</td>
                <td>{schedule.kind}</td>
                <td>
                  <TargetList targets={schedule.targets ?? []} />
                </td>
                <td>
                  <code>
                    <VisibleText text={schedule.cron ?? ''} />
                  </code>
                </td>
                <td>
                  <VisibleText text={schedule.timezone ?? ''} />
                </td>
                <td>
                  <When at={schedule.nextRunAt} none={schedule.enabled === true ? 'never' : 'paused'} />
                </td>
                <td>
                  <When at={schedule.lastRunAt} none="not yet" />
                </td>
                <td className="error">{schedule.lastError === undefined ? null : <VisibleText text={schedule.lastError} />}</td>
                <td>{schedule.enabled === true ? 'yes' : 'no'}</td>
                {operator && schedule.id !== undefined ? (
                  <td>
                    <ScheduleActions id={schedule.id} enabled={schedule.enabled === true} onEnable={setEnabled} onDelete={remove} />
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Pause or resume, and delete on a second, confirming click (a deleted schedule is gone; its scans stay). */
function ScheduleActions(props: { readonly id: number; readonly enabled: boolean; readonly onEnable: (id: number, enabled: boolean) => Promise<void>; readonly onDelete: (id: number) => Promise<void> }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <span className="row-actions">
      <button type="button" onClick={() => void props.onEnable(props.id, !props.enabled)}>
        {props.enabled ? 'Pause' : 'Resume'}
        <span className="sr-only"> schedule {props.id}</span>
      </button>{' '}
      {confirming ? (
        <>
          <button type="button" className="danger" onClick={() => void props.onDelete(props.id)}>
            Confirm delete<span className="sr-only"> of schedule {props.id}</span>
          </button>{' '}
          <button type="button" onClick={() => setConfirming(false)}>
            Keep<span className="sr-only"> schedule {props.id}</span>
          </button>
        </>
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>
          Delete<span className="sr-only"> schedule {props.id}</span>
        </button>
      )}
    </span>
  );
}

/** Adds a schedule; the server checks the cron expression and the time zone and says what is wrong. */
function NewScheduleForm(props: { readonly onCreated: (id: number) => void }) {
  const [problem, setProblem] = useState<string>();
  const [zones] = useState(knownTimeZones);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const request = scanRequestOf(form);
    if ('problem' in request) {
      setProblem(request.problem);
      return;
    }
    const body = { ...request, cron: String(form.get('cron') ?? '').trim(), timezone: String(form.get('timezone') ?? '').trim() };
    const result = await api.POST('/api/v1/schedules', { body });
    if (result.error !== undefined || result.data?.id === undefined) {
      setProblem(errorMessage(result.error));
      return;
    }
    setProblem(undefined);
    formElement.reset();
    props.onCreated(result.data.id);
  };
  return (
    <details className="new-schedule">
      <summary>New schedule</summary>
      <form onSubmit={(event) => void submit(event)} aria-label="New schedule">
        <ScanRequestFields cols={50} />
        <label>
          Cron (minute hour day month weekday)
          <input name="cron" required maxLength={200} placeholder="0 3 * * *" />
        </label>
        <label>
          Time zone
          <input name="timezone" required maxLength={64} list="time-zones" defaultValue="UTC" />
        </label>
        <datalist id="time-zones">
          {zones.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
        <button type="submit">Add schedule</button>
        {problem === undefined ? null : (
          <p role="alert" className="error" data-testid="new-schedule-problem">
            <VisibleText text={problem} />
          </p>
        )}
      </form>
    </details>
  );
}
