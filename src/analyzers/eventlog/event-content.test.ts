import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEvtx, type FixtureEvent } from '../../formats/evtx/fixtures/write-evtx.js';
import { readEvtxFile } from '../../formats/evtx/read-evtx-file.js';
import { eventRecordFields, type EventRecordFields } from './event-record-fields.js';
import { EVENT_CONTENT_DIR, loadEventRules, type EventRules } from './load-event-rules.js';

type Sample = Record<string, string | number | string[]>;

interface Samples {
  match: Sample[];
  clean: Sample[];
}

/** A sample as an event: Channel, EventID and Provider_Name go to System, the rest to EventData. */
function toEvent(sample: Sample): FixtureEvent {
  const { Channel, EventID, Provider_Name, Data, ...rest } = sample;
  const data: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(rest)) data[name] = Array.isArray(value) ? value.join(',') : value;
  return {
    channel: String(Channel),
    eventId: Number(EventID),
    ...(Provider_Name === undefined ? {} : { provider: String(Provider_Name) }),
    time: '2024-03-11T10:00:00Z',
    data: Array.isArray(Data) ? Data : data,
  };
}

const files = readdirSync(EVENT_CONTENT_DIR).filter((f) => f.endsWith('.yml')).sort();
const docs = files.map((file) => ({ file, doc: parse(readFileSync(join(EVENT_CONTENT_DIR, file), 'utf8')) as { name: string; w3guard_samples?: Samples } }));

describe('w3guard event-log content (content/sigma/eventlog)', () => {
  let rules: EventRules;
  const dir = mkdtempSync(join(tmpdir(), 'w3g-evt-content-'));
  /** Each sample written to EVTX and read back through the real reader, keyed `file:kind:index`. */
  const read = new Map<string, EventRecordFields>();
  beforeAll(async () => {
    rules = await loadEventRules({ content: true, sigmaPaths: [] });
    const keys: string[] = [];
    const events: FixtureEvent[] = [];
    for (const { file, doc } of docs) {
      for (const kind of ['match', 'clean'] as const) {
        for (const [i, sample] of (doc.w3guard_samples?.[kind] ?? []).entries()) {
          keys.push(`${file}:${kind}:${i}`);
          events.push(toEvent(sample));
        }
      }
    }
    const evtx = join(dir, 'samples.evtx');
    writeFileSync(evtx, writeEvtx(events));
    let n = 0;
    for await (const batch of readEvtxFile(evtx)) {
      expect(batch.issues).toEqual([]);
      for (const record of batch.records) read.set(keys[n++] ?? '', eventRecordFields(record));
    }
    expect(n).toBe(events.length);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every rule loads and compiles without a diagnostic', () => {
    expect(rules.diagnostics.map((d) => `${d.file}:${d.line} ${d.code} ${d.message}`)).toEqual([]);
    expect(rules.otherLogsource).toBe(0);
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  for (const { file, doc } of docs) {
    it(`${file}: has a sample that must match and one that must not`, () => {
      expect(doc.w3guard_samples?.match.length ?? 0).toBeGreaterThan(0);
      expect(doc.w3guard_samples?.clean.length ?? 0).toBeGreaterThan(0);
    });
    it(`${file}: matches its attack samples and leaves its benign look-alikes alone`, () => {
      for (const kind of ['match', 'clean'] as const) {
        for (const [i, sample] of (doc.w3guard_samples?.[kind] ?? []).entries()) {
          const fields = read.get(`${file}:${kind}:${i}`);
          expect(fields, `${file}:${kind}:${i}`).toBeDefined();
          const hit = rules.match(fields as EventRecordFields).some((r) => r.meta.id === doc.name);
          expect(hit, `${kind} ${JSON.stringify(sample)}`).toBe(kind === 'match');
        }
      }
    });
  }
});
