import { Worker } from 'node:worker_threads';
import { compileYara, type YaraScanner, type YaraSource } from '../../engines/yara/yara-engine.js';
import { scanFile, type FileScan } from './scan-file.js';

/** What every file scan needs, sent once to each worker. */
export interface SweepSettings {
  readonly sources: readonly YaraSource[];
  readonly maxBytes: number;
  readonly hash: boolean;
}

/** Files sent to a worker together, to keep message overhead small next to the scan. */
export interface SweepBatch {
  readonly id: number;
  readonly files: readonly { readonly path: string; readonly size: number }[];
}

/** A worker's answer to one batch. */
export interface SweepWorkerReply {
  readonly id: number;
  readonly results?: readonly FileScan[];
  readonly error?: string;
}

/** The worker script beside this module; absent when running from TypeScript sources (tests). */
const SWEEP_WORKER_URL = new URL('./sweep-worker.js', import.meta.url);

/** True when worker threads can be used: the compiled worker script sits next to this module. */
export function sweepWorkersAvailable(): boolean {
  return import.meta.url.endsWith('.js');
}

/**
 * Scans batches of files on worker threads (each with its own compiled rules), or on this thread when
 * `threads` is 0 or workers are not available.
 */
export class SweepPool {
  readonly #workers: { worker: Worker; pending: number }[] = [];
  readonly #waiting = new Map<number, { resolve: (r: readonly FileScan[]) => void; reject: (e: Error) => void }>();
  readonly #settings: SweepSettings;
  #local: YaraScanner | undefined;
  #nextId = 0;
  #failure: Error | undefined;

  constructor(threads: number, settings: SweepSettings) {
    this.#settings = settings;
    if (threads > 0 && sweepWorkersAvailable()) {
      for (let i = 0; i < threads; i += 1) {
        const worker = new Worker(SWEEP_WORKER_URL, { workerData: { settings } });
        const slot = { worker, pending: 0 };
        worker.on('message', (reply: SweepWorkerReply) => {
          slot.pending -= 1;
          const waiter = this.#waiting.get(reply.id);
          this.#waiting.delete(reply.id);
          if (reply.results !== undefined) waiter?.resolve(reply.results);
          else waiter?.reject(new Error(`sweep worker failed: ${reply.error ?? 'no result'}`));
        });
        worker.on('error', (error) => this.#fail(error));
        worker.on('exit', (code) => {
          if (code !== 0) this.#fail(new Error(`sweep worker exited with code ${code}`));
        });
        this.#workers.push(slot);
      }
    } else if (settings.sources.length > 0) {
      this.#local = compileYara(settings.sources).scanner;
    }
  }

  /** Batches that may be in flight at once before the caller should wait: three per worker keeps each busy. */
  get capacity(): number {
    return Math.max(1, this.#workers.length * 3);
  }

  /** Scans one batch; results are in the batch's order. */
  scan(files: SweepBatch['files']): Promise<readonly FileScan[]> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#workers.length === 0) {
      return Promise.resolve(files.map((f) => scanFile(f.path, f.size, this.#local, this.#settings)));
    }
    const id = this.#nextId;
    this.#nextId += 1;
    const slot = this.#workers.reduce((best, s) => (s.pending < best.pending ? s : best));
    slot.pending += 1;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      const batch: SweepBatch = { id, files };
      slot.worker.postMessage(batch);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((s) => s.worker.terminate()));
  }

  #fail(error: Error): void {
    this.#failure = error;
    for (const waiter of this.#waiting.values()) waiter.reject(error);
    this.#waiting.clear();
  }
}
