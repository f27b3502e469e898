import { runWorkerPool } from '../run-worker-pool.js';
import type { EventSettings, EventTask, EventTaskOutcome } from './event-task.js';
import type { ParsedEventRules } from './load-event-rules.js';

const WORKER_URL = new URL('./event-worker.js', import.meta.url);

/** Runs chunk ranges on worker threads, each taking the next range when done, and returns outcomes in task order; the threads get the rules when they are read. */
export function runEventTasksOnWorkers(
  tasks: readonly EventTask[],
  threads: number,
  settings: EventSettings,
  parsed: Promise<ParsedEventRules>,
  signal: AbortSignal,
  onRecords?: (records: number, matches: number) => void,
): Promise<EventTaskOutcome[]> {
  return runWorkerPool<EventTask, EventTaskOutcome, { records: number; matches: number }>({
    name: 'events',
    script: WORKER_URL,
    // The threads start while the rules are read: loading a thread's code takes about as long.
    workerData: { settings },
    lateData: parsed,
    tasks,
    threads,
    signal,
    onProgress: (p) => onRecords?.(p.records, p.matches),
  });
}
