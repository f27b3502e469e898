import { runWorkerPool } from '../run-worker-pool.js';
import type { EventSettings, EventTask, EventTaskOutcome } from './event-task.js';

const WORKER_URL = new URL('./event-worker.js', import.meta.url);

/**
 * Runs chunk ranges on worker threads, each taking the next range when done, and returns outcomes in task
 * order; the threads get the rules, packed (`readPackedEventRules`), when they are read.
 */
export function runEventTasksOnWorkers(
  tasks: readonly EventTask[],
  threads: number,
  settings: EventSettings,
  packed: Promise<Uint8Array>,
  signal: AbortSignal,
  onRecords?: (records: number, matches: number) => void,
): Promise<EventTaskOutcome[]> {
  return runWorkerPool<EventTask, EventTaskOutcome, { records: number; matches: number }>({
    name: 'events',
    script: WORKER_URL,
    // The threads start while the rules are read: loading a thread's code takes about as long.
    workerData: { settings },
    lateData: packed,
    tasks,
    threads,
    signal,
    onProgress: (p) => onRecords?.(p.records, p.matches),
  });
}
