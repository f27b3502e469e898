import { Worker } from 'node:worker_threads';

/** What a pool worker posts back: progress counters of its own shape, a task's outcome, or a failure. */
export type FromPoolWorker<Outcome, Progress> =
  | ({ type: 'progress'; id: number } & Progress)
  | { type: 'done'; id: number; outcome: Outcome }
  | { type: 'error'; id: number; message: string };

/** A task as a pool sends it to a worker, or the pool's late data (`WorkerPoolRequest.lateData`), once ready. */
export type ToPoolWorker<Task> = { readonly type: 'task'; readonly id: number; readonly task: Task } | { readonly type: 'data'; readonly data: unknown };

/** A pool of worker threads running one script over a list of tasks. */
export interface WorkerPoolRequest<Task, Progress> {
  /** Names the work in errors (`hunt`, `events`). */
  readonly name: string;
  readonly script: URL;
  /** Data every worker starts with (settings, parsed rules); structured-cloned once per worker. */
  readonly workerData: unknown;
  /**
   * Data still being made when the pool starts (rules being read): the workers start at once, loading their
   * code meanwhile, and each is posted `{ type: 'data' }` when it is ready, before or after its first
   * tasks (a worker waits for it as it needs it). Should it fail, the pool fails with its error.
   */
  readonly lateData?: Promise<unknown>;
  readonly tasks: readonly Task[];
  readonly threads: number;
  readonly signal: AbortSignal;
  onProgress?(progress: Progress): void;
}

/** True when worker threads can be used: the compiled worker scripts exist (not when running from TypeScript sources, as tests do). */
export function workersAvailable(): boolean {
  return import.meta.url.endsWith('.js');
}

/**
 * Runs tasks on worker threads, each worker taking the next task when it finishes one, and returns the
 * outcomes in task order. An interrupt stops waiting at once and terminates the workers.
 */
export async function runWorkerPool<Task, Outcome, Progress>(request: WorkerPoolRequest<Task, Progress>): Promise<Outcome[]> {
  const { name, tasks, signal } = request;
  const outcomes = new Array<Outcome | undefined>(tasks.length);
  const workers = Array.from({ length: Math.min(request.threads, tasks.length) }, () => new Worker(request.script, { workerData: request.workerData }));
  let next = 0;
  let stop: ((reason: unknown) => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    stop = reject;
  });
  const onAbort = (): void => stop?.(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  request.lateData?.then(
    (data) => {
      const message: ToPoolWorker<Task> = { type: 'data', data };
      for (const worker of workers) worker.postMessage(message);
    },
    (error: unknown) => stop?.(error),
  );
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
              const message: ToPoolWorker<Task> = { type: 'task', id, task: tasks[id] as Task };
              worker.postMessage(message);
            };
            worker.on('message', (message: FromPoolWorker<Outcome, Progress>) => {
              if (message.type === 'progress') request.onProgress?.(message);
              else if (message.type === 'done') {
                outcomes[message.id] = message.outcome;
                send();
              } else reject(new Error(`${name} worker failed: ${message.message}`));
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (code !== 0) reject(new Error(`${name} worker exited with code ${code}`));
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
    if (o === undefined) throw new Error(`${name} task ${i} produced no result`);
    return o;
  });
}
