import type { RuleMeta } from '../../core/rule-meta.js';
import type { CompiledSigmaCorrelation, CorrelationEvent } from './compile-sigma-correlations.js';
import type { SigmaRecord } from './sigma-record.js';

/** A correlation that held for one group. */
export interface CorrelationHit<R> {
  readonly meta: RuleMeta;
  readonly correlation: CompiledSigmaCorrelation;
  /** The group, as `CompiledSigmaCorrelation.groupKey` gives it (a JSON array of the group-by values). */
  readonly groupKey: string;
  /** Time of the earliest event counted (for value_count and temporal: the earliest one the engine still holds) and of the latest. */
  readonly first: number;
  readonly last: number;
  /** The quantity the condition judged: events (event_count), distinct values (value_count), distinct rules (temporal, temporal_ordered). */
  readonly count: number;
  /** The earliest events of the window, capped at `maxSamples`. */
  readonly samples: readonly R[];
}

/** Memory bounds of an engine. */
export interface CorrelationEngineOptions {
  /** Groups kept per correlation; the least recently seen is evicted (its partial state lost). Default 10 000. */
  readonly maxGroups?: number;
  /** Record references kept per group, and per hit. Default 10. */
  readonly maxSamples?: number;
}

/** The engine with a way to turn a record into the reference hits keep. */
export interface CorrelationEngineRefOptions<R> extends CorrelationEngineOptions {
  readonly ref: (record: SigmaRecord, time: number) => R;
}

/** Counts of what the bounds cost. */
export interface CorrelationEngineStats {
  /** Groups dropped, before their window ended, because a correlation had `maxGroups` groups. */
  readonly evictedGroups: number;
  /** Groups held now, over all correlations. */
  readonly groups: number;
}

/** Judges correlations over matching records fed in time order, holding bounded state per group. */
export interface CorrelationEngine<R> {
  /** Feeds a record and the `meta.id`s of the rules it matched; returns the hits it completes. */
  push(ruleIds: readonly string[], record: SigmaRecord, time: number): CorrelationHit<R>[];
  /** Feeds the events of one record (see `CompiledSigmaCorrelation.events`); returns the hits they complete. */
  pushEvents(events: readonly CorrelationEvent<R>[]): CorrelationHit<R>[];
  /** Ends the input: judges every window still open (upper-bounded conditions) and forgets all state. */
  flush(): CorrelationHit<R>[];
  stats(): CorrelationEngineStats;
}

const DEFAULT_MAX_GROUPS = 10_000;
const DEFAULT_MAX_SAMPLES = 10;

interface Sample<R> {
  readonly time: number;
  readonly ref: R;
}

interface Group<R> {
  lastSeen: number;
  samples: Sample<R>[];
  /** event_count, sliding: times of the events in the window, oldest first. */
  times: number[];
  /** value_count / temporal, sliding: value or rule → last time seen, oldest first. */
  seen: Map<string, number>;
  /** temporal_ordered: latest start time of a partial sequence ending at each position. */
  starts: (number | undefined)[];
  /** Closed window: its start, the events in it and the distinct values or rules (capped). */
  windowStart: number | undefined;
  windowEvents: number;
  windowLast: number;
  distinct: Set<string>;
}

interface Observation<R> {
  readonly time: number;
  readonly ruleIds: readonly string[];
  readonly values: readonly string[];
  readonly ref: R;
}

interface State<R> {
  readonly correlation: CompiledSigmaCorrelation;
  readonly groups: Map<string, Group<R>>;
}

/** Creates an engine whose hits keep the records themselves as samples. */
export function createCorrelationEngine(
  correlations: readonly CompiledSigmaCorrelation[],
  options?: CorrelationEngineOptions,
): CorrelationEngine<SigmaRecord>;
/** Creates an engine whose hits keep `options.ref(record, time)` as samples. */
export function createCorrelationEngine<R>(
  correlations: readonly CompiledSigmaCorrelation[],
  options: CorrelationEngineRefOptions<R>,
): CorrelationEngine<R>;
export function createCorrelationEngine<R>(
  correlations: readonly CompiledSigmaCorrelation[],
  options: CorrelationEngineOptions & { readonly ref?: (record: SigmaRecord, time: number) => R } = {},
): CorrelationEngine<R> {
  // Without `ref` the overloads say R is SigmaRecord.
  const toRef = options.ref ?? ((record: SigmaRecord) => record as unknown as R);
  const maxGroups = Math.max(1, options.maxGroups ?? DEFAULT_MAX_GROUPS);
  const maxSamples = Math.max(0, options.maxSamples ?? DEFAULT_MAX_SAMPLES);
  const states = new Map<string, State<R>>(correlations.map((c) => [c.meta.id, { correlation: c, groups: new Map() }]));
  let now = Number.NEGATIVE_INFINITY;
  let evictedGroups = 0;

  const hitOf = (state: State<R>, key: string, group: Group<R>, first: number, last: number, count: number): CorrelationHit<R> => ({
    meta: state.correlation.meta,
    correlation: state.correlation,
    groupKey: key,
    first,
    last,
    count,
    samples: group.samples.map((s) => s.ref),
  });

  const reset = (group: Group<R>): void => {
    group.samples = [];
    group.times = [];
    group.seen = new Map();
    group.starts = [];
    group.windowStart = undefined;
    group.windowEvents = 0;
    group.distinct = new Set();
  };

  /** Judges a closed window (upper-bounded conditions) and clears it. */
  const close = (state: State<R>, key: string, group: Group<R>, out: CorrelationHit<R>[]): void => {
    const { correlation } = state;
    if (group.windowStart !== undefined) {
      const quantity = correlation.type === 'event_count' ? group.windowEvents : group.distinct.size;
      if (correlation.holds(quantity)) out.push(hitOf(state, key, group, group.windowStart, group.windowLast, quantity));
    }
    reset(group);
  };

  /** Drops (or, for closed windows, judges) the groups whose every event is older than the timespan. */
  const sweep = (state: State<R>, out: CorrelationHit<R>[]): void => {
    const span = state.correlation.timespanMs;
    for (const [key, group] of state.groups) {
      if (now - group.lastSeen <= span) break;
      if (state.correlation.upperBounded) close(state, key, group, out);
      state.groups.delete(key);
    }
  };

  const groupOf = (state: State<R>, key: string, time: number): Group<R> => {
    let group = state.groups.get(key);
    if (group !== undefined) {
      // Re-inserting keeps the map ordered by last-seen, so the head is the eviction candidate.
      state.groups.delete(key);
    } else {
      if (state.groups.size >= maxGroups) {
        const oldest = state.groups.keys().next();
        if (oldest.done !== true) {
          state.groups.delete(oldest.value);
          evictedGroups += 1;
        }
      }
      group = {
        lastSeen: time,
        samples: [],
        times: [],
        seen: new Map(),
        starts: [],
        windowStart: undefined,
        windowEvents: 0,
        windowLast: time,
        distinct: new Set(),
      };
    }
    group.lastSeen = time;
    state.groups.set(key, group);
    return group;
  };

  const observe = (state: State<R>, key: string, obs: Observation<R>, out: CorrelationHit<R>[]): void => {
    const { correlation } = state;
    const span = correlation.timespanMs;
    const t = obs.time;
    const group = groupOf(state, key, t);
    if (correlation.upperBounded) {
      if (group.windowStart !== undefined && t - group.windowStart > span) close(state, key, group, out);
      group.windowStart ??= t;
      group.windowLast = t;
      group.windowEvents += 1;
      const items = correlation.type === 'value_count' ? obs.values : obs.ruleIds;
      for (const item of items) if (group.distinct.size < correlation.stateLimit) group.distinct.add(item);
      if (group.samples.length < maxSamples) group.samples.push({ time: t, ref: obs.ref });
      return;
    }
    group.samples = group.samples.filter((s) => t - s.time <= span);
    if (group.samples.length < maxSamples) group.samples.push({ time: t, ref: obs.ref });
    switch (correlation.type) {
      case 'event_count': {
        const times = group.times.filter((time) => t - time <= span);
        times.push(t);
        // Only the newest `stateLimit` events can matter to a lower bound.
        if (times.length > Math.max(1, correlation.stateLimit)) times.shift();
        group.times = times;
        const first = times[0] ?? t;
        if (correlation.holds(times.length)) {
          out.push(hitOf(state, key, group, first, t, times.length));
          reset(group);
        }
        return;
      }
      case 'value_count':
      case 'temporal': {
        const seen = group.seen;
        for (const [item, time] of seen) {
          if (t - time <= span) break;
          seen.delete(item);
        }
        for (const item of correlation.type === 'value_count' ? obs.values : obs.ruleIds) {
          seen.delete(item);
          seen.set(item, t);
          if (seen.size > Math.max(1, correlation.stateLimit)) {
            const oldest = seen.keys().next();
            if (oldest.done !== true) seen.delete(oldest.value);
          }
        }
        if (seen.size > 0 && correlation.holds(seen.size)) {
          // Every event still in the window counts; the earliest one held is either a sample or a last-seen time.
          const oldest = seen.values().next();
          const first = Math.min(group.samples[0]?.time ?? t, oldest.done === true ? t : oldest.value);
          out.push(hitOf(state, key, group, first, t, seen.size));
          reset(group);
        }
        return;
      }
      case 'temporal_ordered': {
        const order = correlation.ruleIds;
        const starts = group.starts;
        for (let i = 0; i < order.length; i += 1) {
          const start = starts[i];
          if (start !== undefined && t - start > span) starts[i] = undefined;
        }
        // Highest positions first, so one record never advances the sequence by two steps.
        for (let k = order.length - 1; k >= 0; k -= 1) {
          const ruleId = order[k];
          if (ruleId === undefined || !obs.ruleIds.includes(ruleId)) continue;
          const from = k === 0 ? t : starts[k - 1];
          if (from === undefined) continue;
          const current = starts[k];
          starts[k] = current === undefined ? from : Math.max(current, from);
        }
        const done = starts[order.length - 1];
        if (done !== undefined) {
          out.push(hitOf(state, key, group, done, t, order.length));
          reset(group);
        }
        return;
      }
    }
  };

  const advance = (time: number, out: CorrelationHit<R>[]): number => {
    // Time never goes back: an out-of-order record counts at the latest time seen.
    now = Math.max(now, time);
    for (const state of states.values()) sweep(state, out);
    return now;
  };

  /** Feeds the events of one record, grouped per correlation and group. */
  const feed = (events: readonly CorrelationEvent<R>[], ref: R | undefined, time: number, out: CorrelationHit<R>[]): void => {
    const t = advance(time, out);
    const batches = new Map<string, { state: State<R>; key: string; ruleIds: string[]; values: string[]; ref: R }>();
    for (const event of events) {
      const state = states.get(event.correlationId);
      if (state === undefined) continue;
      const id = JSON.stringify([event.correlationId, event.groupKey]);
      let batch = batches.get(id);
      if (batch === undefined) {
        batch = { state, key: event.groupKey, ruleIds: [], values: [], ref: ref ?? event.ref };
        batches.set(id, batch);
      }
      if (!batch.ruleIds.includes(event.ruleId)) batch.ruleIds.push(event.ruleId);
      if (event.value !== undefined && !batch.values.includes(event.value)) batch.values.push(event.value);
    }
    for (const batch of batches.values()) {
      observe(batch.state, batch.key, { time: t, ruleIds: batch.ruleIds, values: batch.values, ref: batch.ref }, out);
    }
  };

  return {
    push(ruleIds, record, time) {
      const out: CorrelationHit<R>[] = [];
      const ref = toRef(record, time);
      const events: CorrelationEvent<R>[] = [];
      for (const { correlation } of states.values()) events.push(...correlation.events(ruleIds, record, time, ref));
      feed(events, ref, time, out);
      return out;
    },
    pushEvents(events) {
      const out: CorrelationHit<R>[] = [];
      const time = events.reduce((max, e) => Math.max(max, e.time), Number.NEGATIVE_INFINITY);
      if (events.length > 0) feed(events, undefined, time, out);
      return out;
    },
    flush() {
      const out: CorrelationHit<R>[] = [];
      for (const state of states.values()) {
        for (const [key, group] of state.groups) if (state.correlation.upperBounded) close(state, key, group, out);
        state.groups.clear();
      }
      return out;
    },
    stats() {
      let groups = 0;
      for (const state of states.values()) groups += state.groups.size;
      return { evictedGroups, groups };
    },
  };
}
