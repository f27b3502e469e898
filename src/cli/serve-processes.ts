import cluster from 'node:cluster';
import type { Logger } from 'pino';

/** Where `serve --processes N` tells each serving process which one it is, and how many there are. */
const INDEX_VARIABLE = 'W3GUARD_SERVE_PROCESS';
const COUNT_VARIABLE = 'W3GUARD_SERVE_PROCESSES';

/** Which of `serve --processes N` this process is (0 does the schedules, notifications and jobs), if one. */
export function servingProcess(): { readonly index: number; readonly count: number } | undefined {
  if (!cluster.isWorker) return undefined;
  const index = Number(process.env[INDEX_VARIABLE]);
  const count = Number(process.env[COUNT_VARIABLE]);
  return Number.isInteger(index) && Number.isInteger(count) && index >= 0 && index < count ? { index, count } : undefined;
}

/** A serving process tells the primary where it answers. */
export function reportListening(url: string): void {
  process.send?.({ w3guardServing: url });
}

/**
 * The primary of `serve --processes N`: forks N serving processes that share one listening socket (Node's
 * cluster hands each new connection to the next process in turn), prints the address once all of them answer,
 * starts another in place of one that dies after it answered, and on SIGTERM, SIGINT or `signal` stops them all
 * and waits for them (each lets its running requests and jobs finish). A process that fails before answering
 * (a port in use, a store it cannot open) stops them all: the error is in its log.
 */
export async function runServePrimary(count: number, log: Logger, signal: AbortSignal): Promise<void> {
  const listening = new Map<number, string>();
  let alive = 0;
  let stopping = false;
  let failure: Error | undefined;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  const fork = (index: number) => {
    const worker = cluster.fork({ [INDEX_VARIABLE]: String(index), [COUNT_VARIABLE]: String(count) });
    alive += 1;
    let answered = false;
    worker.on('message', (message: unknown) => {
      const url = (message as { w3guardServing?: unknown } | null)?.w3guardServing;
      if (typeof url !== 'string') return;
      answered = true;
      const first = !listening.has(index);
      listening.set(index, url);
      if (first && listening.size === count) process.stdout.write(`w3guard serve: listening on ${url} (${count} processes)\n`);
    });
    worker.on('exit', (code, exitSignal) => {
      alive -= 1;
      if (!stopping && !answered) {
        failure = new Error(`serving process ${index} stopped before it answered (exit ${code ?? exitSignal})`);
        stop();
      }
      if (stopping) {
        if (alive === 0) finish();
        return;
      }
      log.error({ process: index, code, signal: exitSignal }, 'a serving process stopped; starting another');
      fork(index);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  signal.addEventListener('abort', stop, { once: true });
  for (let index = 0; index < count; index += 1) fork(index);
  await finished;
  if (failure !== undefined) throw failure;
}
