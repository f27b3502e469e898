import { Worker } from 'node:worker_threads';
import type { HuntSettings, HuntTask, TaskOutcome } from './hunt-task.js';
import type { ToWorker } from './hunt-worker.js';
import type { ProgressTick } from './scan-log-stream.js';

type FromWorker =
  | { type: 'progress'; id: number; bytes: number; records: number; matches: number }
  | { type: 'done'; id: number; outcome: TaskOutcome }
  | { type: 'error'; id: number; message: string };

/** The worker script beside this module; absent when running from TypeScript sources (tests). */
export const HUNT_WORKER_URL = new URL('./hunt-worker.js', import.meta.url);

/** True when worker threads can be used: the compiled worker script exists next to this module. */
export function workersAvailable(): boolean {
  return import.meta.url.endsWith('.js');
}

/**
 * Runs hunt tasks on worker threads, each worker taking the next task when it finishes one, and
 * returns the outcomes in task order.
 */
export async function runOnWorkers(tasks: readonly HuntTask[], threads: number, settings: HuntSettings, signal: AbortSignal, onProgress?: ProgressTick): Promise<TaskOutcome[]> {
  const outcomes: (TaskOutcome | undefined)[] = new Array<TaskOutcome | undefined>(tasks.length);
  const workers = Array.from({ length: Math.min(threads, tasks.length) }, () => new Worker(HUNT_WORKER_URL, { workerData: { settings } }));
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
              if (signal.aborted) {
                reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
                return;
              }
              if (next >= tasks.length) {
                resolve();
                return;
              }
              const id = next;
              next += 1;
              const message: ToWorker = { type: 'task', id, task: tasks[id] as HuntTask };
              worker.postMessage(message);
            };
            worker.on('message', (message: FromWorker) => {
              if (message.type === 'progress') onProgress?.(message.bytes, message.records, message.matches);
              else if (message.type === 'done') {
                outcomes[message.id] = message.outcome;
                send();
              } else reject(new Error(`hunt worker failed: ${message.message}`));
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (code !== 0) reject(new Error(`hunt worker exited with code ${code}`));
            });
            send();
          }),
      ),
    );
    // An interrupt stops waiting at once; the workers are terminated below.
    await Promise.race([all, stopped]);
  } finally {
    signal.removeEventListener('abort', onAbort);
    stopped.catch(() => undefined);
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return outcomes.map((o, i) => {
    if (o === undefined) throw new Error(`hunt task ${i} produced no result`);
    return o;
  });
}
