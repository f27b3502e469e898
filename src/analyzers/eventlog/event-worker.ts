import { parentPort, workerData } from 'node:worker_threads';
import type { ToPoolWorker } from '../run-worker-pool.js';
import type { EventSettings, EventTask, EventTaskOutcome } from './event-task.js';
import { compileEventRules, eventRuleSummary, type ParsedEventRules } from './load-event-rules.js';
import { unpackEventRules } from './packed-event-rules.js';
import { scanEventTask } from './scan-event-task.js';

/** At most one progress message per task this often. */
const PROGRESS_MS = 200;

/** Messages the pool sends to a worker. */
export type ToEventWorker = ToPoolWorker<EventTask>;

// A worker thread: it compiles the rules the main thread read and parsed (posted packed once read), and reads the
// chunk ranges it is sent, one at a time.
const { settings } = workerData as { settings: EventSettings };
const port = parentPort;
if (port !== null) {
  const controller = new AbortController();
  let parsed: (rules: ParsedEventRules) => void = () => undefined;
  const rules = new Promise<ParsedEventRules>((resolve) => {
    parsed = resolve;
  }).then(compileEventRules);
  // The first outcome carries the rule list and diagnostics: the main thread reports them without compiling.
  let summarised = false;
  port.on('message', (message: ToEventWorker) => {
    if (message.type === 'data') {
      parsed(unpackEventRules(message.data as Uint8Array));
      return;
    }
    // Progress goes out at most every PROGRESS_MS: a message per 64 KiB chunk wakes the main thread
    // thousands of times a run, and on a busy machine each wake-up can cost this thread its time slice.
    let records = 0;
    let matches = 0;
    let last = performance.now();
    const flush = (): void => {
      if (records === 0 && matches === 0) return;
      port.postMessage({ type: 'progress', id: message.id, records, matches });
      records = 0;
      matches = 0;
    };
    const onRecords = (batchRecords: number, batchMatches: number): void => {
      records += batchRecords;
      matches += batchMatches;
      const now = performance.now();
      if (now - last < PROGRESS_MS) return;
      last = now;
      flush();
    };
    const run = async (): Promise<EventTaskOutcome> => {
      const loaded = await rules;
      const outcome = await scanEventTask(message.task, loaded, settings, controller.signal, onRecords);
      flush();
      if (summarised) return outcome;
      summarised = true;
      return { ...outcome, rules: eventRuleSummary(loaded) };
    };
    run().then(
      (outcome) => port.postMessage({ type: 'done', id: message.id, outcome }),
      (error: unknown) => port.postMessage({ type: 'error', id: message.id, message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
}
