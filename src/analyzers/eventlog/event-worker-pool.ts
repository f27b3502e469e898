import { runWorkerPool } from '../run-worker-pool.js';
import type { EventSettings, EventTask, EventTaskOutcome } from './event-task.js';
import type { ParsedEventRules } from './load-event-rules.js';

const WORKER_URL = new URL('./event-worker.js', import.meta.url);

/** Runs chunk ranges on worker threads, each taking the next range when done, and returns outcomes in task order. */
export function runEventTasksOnWorkers(
  tasks: readonly EventTask[],
  threads: number,
  settings: EventSettings,
  parsed: ParsedEventRules,
  signal: AbortSignal,
  onRecords?: (records: number, matches: number) => void,
): Promise<EventTaskOutcome[]> {
  return runWorkerPool<EventTask, EventTaskOutcome, { records: number; matches: number }>({
    name: 'events',
    script: WORKER_URL,
    workerData: { settings, parsed },
    tasks,
    threads,
    signal,
    onProgress: (p) => onRecords?.(p.records, p.matches),
  });
}
