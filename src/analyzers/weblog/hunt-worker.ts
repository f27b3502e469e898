import { parentPort, workerData } from 'node:worker_threads';
import type { ToPoolWorker } from '../run-worker-pool.js';
import type { HuntSettings, HuntTask } from './hunt-task.js';
import { loadWebRules } from './load-web-rules.js';
import { runHuntTask } from './run-hunt-task.js';

/** Messages the pool sends to a worker. */
export type ToWorker = ToPoolWorker<HuntTask>;

// A worker thread: it compiles the same detectors and runs the tasks it is sent, one at a time.
const settings = (workerData as { settings: HuntSettings }).settings;
const port = parentPort;
if (port !== null) {
  const controller = new AbortController();
  const rules = loadWebRules(settings.rules);
  port.on('message', (message: ToWorker) => {
    if (message.type !== 'task') return;
    const onProgress = (bytes: number, records: number, matches: number): void => port.postMessage({ type: 'progress', id: message.id, bytes, records, matches });
    rules.then((loaded) => runHuntTask(message.task, loaded, settings, controller.signal, onProgress)).then(
      (outcome) => port.postMessage({ type: 'done', id: message.id, outcome }),
      (error: unknown) => port.postMessage({ type: 'error', id: message.id, message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
}
