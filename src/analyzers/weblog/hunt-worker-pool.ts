import { runWorkerPool } from '../run-worker-pool.js';
import type { HuntSettings, HuntTask, TaskOutcome } from './hunt-task.js';
import type { ProgressTick } from './scan-log-stream.js';

/** The worker script beside this module; absent when running from TypeScript sources (tests). */
export const HUNT_WORKER_URL = new URL('./hunt-worker.js', import.meta.url);

/** Runs hunt tasks on worker threads and returns the outcomes in task order. */
export function runOnWorkers(tasks: readonly HuntTask[], threads: number, settings: HuntSettings, signal: AbortSignal, onProgress?: ProgressTick): Promise<TaskOutcome[]> {
  return runWorkerPool<HuntTask, TaskOutcome, { bytes: number; records: number; matches: number }>({
    name: 'hunt',
    script: HUNT_WORKER_URL,
    workerData: { settings },
    tasks,
    threads,
    signal,
    onProgress: (p) => onProgress?.(p.bytes, p.records, p.matches),
  });
}
