import { Worker } from 'node:worker_threads';
import type { EventSettings, EventTask, EventTaskOutcome } from './event-task.js';
import type { ToEventWorker } from './event-worker.js';
import type { ParsedEventRules } from './load-event-rules.js';

type FromWorker =
  | { type: 'progress'; id: number; records: number; matches: number }
  | { type: 'done'; id: number; outcome: EventTaskOutcome }
  | { type: 'error'; id: number; message: string };

const WORKER_URL = new URL('./event-worker.js', import.meta.url);

/** True when worker threads can be used: the compiled worker script exists next to this module. */
export function eventWorkersAvailable(): boolean {
  return import.meta.url.endsWith('.js');
}

/** Runs chunk ranges on worker threads, each taking the next range when done, and returns outcomes in task order. */
export async function runEventTasksOnWorkers(
  tasks: readonly EventTask[],
  threads: number,
  settings: EventSettings,
  parsed: ParsedEventRules,
  signal: AbortSignal,
  onRecords?: (records: number, matches: number) => void,
): Promise<EventTaskOutcome[]> {
  const outcomes = new Array<EventTaskOutcome | undefined>(tasks.length);
  const workers = Array.from({ length: Math.min(threads, tasks.length) }, () => new Worker(WORKER_URL, { workerData: { settings, parsed } }));
  let next = 0;
  let stop: ((reason: unknown) => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    stop = reject;
  });
  const onAbort = (): void => stop?.(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const all = Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const send = (): void => {
              if (next >= tasks.length) {
                resolve();
                return;
              }
              const id = next;
              next += 1;
              const message: ToEventWorker = { type: 'task', id, task: tasks[id] as EventTask };
              worker.postMessage(message);
            };
            worker.on('message', (message: FromWorker) => {
              if (message.type === 'progress') onRecords?.(message.records, message.matches);
              else if (message.type === 'done') {
                outcomes[message.id] = message.outcome;
                send();
              } else reject(new Error(`events worker failed: ${message.message}`));
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (code !== 0) reject(new Error(`events worker exited with code ${code}`));
            });
            send();
          }),
      ),
    );
    await Promise.race([all, stopped]);
  } finally {
    signal.removeEventListener('abort', onAbort);
    stopped.catch(() => undefined);
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return outcomes.map((o, i) => {
    if (o === undefined) throw new Error(`events task ${i} produced no result`);
    return o;
  });
}
