import type { CompiledSigmaCorrelation, CorrelationEvent } from './compile-sigma-correlations.js';
import { createCorrelationEngine } from './create-correlation-engine.js';
import type { CorrelationEngineOptions, CorrelationHit } from './create-correlation-engine.js';

/**
 * Judges correlations once over events collected separately (for example one list per worker), merged in
 * any order: they are sorted by time (stably), and consecutive events with the same time and the same `ref`
 * (compared with `===`) are read as one record, so refs must identify records (`file:line`).
 */
export function evaluateCorrelations<R>(
  correlations: readonly CompiledSigmaCorrelation[],
  events: readonly CorrelationEvent<R>[],
  options: CorrelationEngineOptions = {},
): CorrelationHit<R>[] {
  // The engine only sees events, so its record-to-ref function is never called.
  const engine = createCorrelationEngine<R>(correlations, {
    ...options,
    ref: () => {
      throw new Error('evaluateCorrelations reads events, not records');
    },
  });
  const sorted = [...events].sort((a, b) => a.time - b.time);
  const hits: CorrelationHit<R>[] = [];
  let batch: CorrelationEvent<R>[] = [];
  for (const event of sorted) {
    const head = batch[0];
    if (head !== undefined && (head.time !== event.time || head.ref !== event.ref)) {
      hits.push(...engine.pushEvents(batch));
      batch = [];
    }
    batch.push(event);
  }
  if (batch.length > 0) hits.push(...engine.pushEvents(batch));
  hits.push(...engine.flush());
  return hits;
}
