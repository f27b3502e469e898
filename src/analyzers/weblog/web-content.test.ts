import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { NeedleAutomaton } from '../../engines/needle/needle-automaton.js';
import { WebLogReader } from '../../formats/web-log/web-log-reader.js';
import type { WebRecord } from '../../formats/web-log/web-record.js';
import type { HuntSettings } from './hunt-task.js';
import { loadWebRules, WEB_CONTENT_DIR, type WebRules } from './load-web-rules.js';
import { scanLogStream } from './scan-log-stream.js';
import { weblogAnalyzer } from './weblog-analyzer.js';
import { findLogFiles } from '../../targets/find-log-files.js';
import { needsExtraFields, type WebDetector } from './web-detector.js';

const DEFAULT_FIELDS = 'date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken';

interface Samples {
  fields?: string;
  match: string[];
  clean: string[];
}

/** Reads a sample line the way a hunt does: through the reader, with the detector's own needle prefilter. */
function read(fields: string, line: string, detector?: WebDetector): WebRecord[] {
  const records: WebRecord[] = [];
  const prefilter = detector === undefined ? undefined : NeedleAutomaton.forDetectors([detector]);
  const reader = new WebLogReader({
    file: 'sample.log',
    onRecord: (r) => records.push(r),
    onIssue: (i) => expect.fail(`sample line unreadable: ${i.code} ${i.message}`),
    ...(prefilter === undefined ? {} : { prefilter }),
  });
  reader.push(Buffer.from(`#Fields: ${fields}\n${line}\n`));
  reader.end();
  return records;
}

/** The rule ids a hunt's stream scan reports for one line under these fields. */
async function huntHits(fields: string, line: string, detector: WebDetector): Promise<string[]> {
  async function* chunks(): AsyncIterable<Buffer> {
    yield Buffer.from(`#Fields: ${fields}\n${line}\n`);
  }
  const settings: HuntSettings = { evidenceCap: 1, localOffsetMinutes: 0, maxLineBytes: 65536, rules: { content: false, sigmaPaths: [] } };
  const outcome = await scanLogStream('sample.log', chunks(), { detectors: [detector], correlations: [] }, settings);
  return outcome.groups.map((g) => g.rule.id);
}

/** The rule ids a whole hunt (content, correlations, behaviour) reports for these lines as one site's log. */
async function huntStream(fields: string, lines: readonly string[]): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'w3g-content-'));
  try {
    const path = join(dir, 'W3SVC1', 'u_ex240311.log');
    mkdirSync(join(dir, 'W3SVC1'));
    writeFileSync(path, `#Fields: ${fields}\n${lines.join('\n')}\n`);
    const settings: HuntSettings = { evidenceCap: 5, localOffsetMinutes: 0, maxLineBytes: 65536, rules: { content: true, sigmaPaths: [] } };
    const sources = await findLogFiles([path]);
    const result = await weblogAnalyzer.run({ sources, threads: 1, settings }, { signal: new AbortController().signal, evidenceCap: 5 });
    return result.groups.map((g) => g.rule.id);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const files = readdirSync(WEB_CONTENT_DIR).filter((f) => f.endsWith('.yml')).sort();

describe('w3guard web content (content/sigma/weblog)', () => {
  let rules: WebRules;
  beforeAll(async () => {
    rules = await loadWebRules({ content: true, sigmaPaths: [] });
  });

  it('every rule loads and compiles without a diagnostic', () => {
    expect(rules.diagnostics.map((d) => `${d.file}:${d.line} ${d.code} ${d.message}`)).toEqual([]);
    expect(rules.otherLogsource).toBe(0);
    expect(files.length).toBeGreaterThan(15);
  });

  for (const file of files) {
    const doc = parse(readFileSync(join(WEB_CONTENT_DIR, file), 'utf8')) as { id: string; name?: string; correlation?: unknown; w3guard_samples?: Samples };
    const samples = doc.w3guard_samples;
    const id = doc.name ?? doc.id;
    if (doc.correlation !== undefined) {
      it(`${file}: its match stream gives the correlation, its clean stream does not`, async () => {
        expect(rules.correlations.map((c) => c.meta.id)).toContain(id);
        expect(samples?.match.length ?? 0).toBeGreaterThan(1);
        expect(await huntStream(samples?.fields ?? DEFAULT_FIELDS, samples?.match ?? [])).toContain(id);
        expect(await huntStream(samples?.fields ?? DEFAULT_FIELDS, samples?.clean ?? [])).not.toContain(id);
      });
      continue;
    }
    const detector = (): WebDetector => {
      const found = rules.detectors.find((d) => d.meta.id === id);
      if (found === undefined) throw new Error(`${file}: rule ${id} did not load`);
      return found;
    };
    it(`${file}: has a sample that must match and one that must not`, () => {
      expect(samples?.match.length ?? 0).toBeGreaterThan(0);
      expect(samples?.clean.length ?? 0).toBeGreaterThan(0);
      // Without needles every line would be parsed, unless the rule needs a field IIS does not log by default.
      expect(detector().needles !== undefined || needsExtraFields(detector()), 'a rule without needles makes every line be parsed').toBe(true);
    });
    it(`${file}: matches its attack samples, and its needles let them through`, async () => {
      for (const line of samples?.match ?? []) {
        const records = read(samples?.fields ?? DEFAULT_FIELDS, line, detector());
        expect(records, `needles dropped: ${line}`).toHaveLength(1);
        expect(detector().test(records[0] as WebRecord), line).toBe(true);
        // And through a hunt's own reading, which also leaves out rules the log's fields cannot feed.
        expect(await huntHits(samples?.fields ?? DEFAULT_FIELDS, line, detector()), line).toEqual([id]);
      }
    });
    it(`${file}: leaves its benign look-alikes alone`, () => {
      for (const line of samples?.clean ?? []) {
        const [record] = read(samples?.fields ?? DEFAULT_FIELDS, line);
        expect(detector().test(record as WebRecord), line).toBe(false);
      }
    });
  }
});
