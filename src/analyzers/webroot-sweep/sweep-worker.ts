import { parentPort, workerData } from 'node:worker_threads';
import { compileYara } from '../../engines/yara/yara-engine.js';
import type { SweepBatch, SweepSettings, SweepWorkerReply } from './sweep-pool.js';
import { scanFile } from './scan-file.js';

// Each worker compiles the rules once (compiled rules cannot be shared between threads) and scans batches.
const settings = (workerData as { settings: SweepSettings }).settings;
const scanner = settings.sources.length === 0 ? undefined : compileYara(settings.sources).scanner;
const port = parentPort;
if (port === null) throw new Error('sweep-worker must run in a worker thread');
port.on('message', (batch: SweepBatch) => {
  try {
    const results = batch.files.map((f) => scanFile(f.path, f.size, scanner, settings));
    const reply: SweepWorkerReply = { id: batch.id, results };
    port.postMessage(reply);
  } catch (error) {
    const reply: SweepWorkerReply = { id: batch.id, error: error instanceof Error ? error.message : String(error) };
    port.postMessage(reply);
  }
});
