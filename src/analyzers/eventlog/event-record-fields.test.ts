import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeEvtx } from '../../formats/evtx/fixtures/write-evtx.js';
import { readEvtxFile } from '../../formats/evtx/read-evtx-file.js';
import { eventRecordFields, type EventRecordFields } from './event-record-fields.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const regression = path.resolve(repoRoot, '..', 'shared', 'eval', 'sigma', 'regression_data');

async function readFields(file: string): Promise<EventRecordFields[]> {
  const out: EventRecordFields[] = [];
  for await (const batch of readEvtxFile(file)) for (const record of batch.records) out.push(eventRecordFields(record));
  return out;
}

describe('event record fields', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'w3g-evt-fields-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names Data by its Name without spaces, keeps unnamed Data in order, and reads System values', async () => {
    const file = path.join(dir, 'fields.evtx');
    writeFileSync(
      file,
      writeEvtx([
        { channel: 'Security', eventId: 4688, time: '2024-03-11T10:00:00.123Z', data: { 'New Process Name': 'C:\\Windows\\System32\\cmd.exe', CommandLine: '  cmd /c whoami  ' } },
        { channel: 'Application', eventId: 1309, time: '2024-03-11T10:00:01Z', computer: 'WEB02', data: ['first', 'second'] },
      ]),
    );
    const [security, application] = await readFields(file);
    expect(security?.text('NewProcessName')).toBe('C:\\Windows\\System32\\cmd.exe');
    // Element text is trimmed, as the evtx crate reads it; a field of one value holds it alone, of several a list.
    expect(security?.field('commandline')).toBe('cmd /c whoami');
    expect(security?.fields.get('eventid')).toBe(4688);
    expect(security?.eventId).toBe(4688);
    expect(security?.time).toBe(Date.parse('2024-03-11T10:00:00.123Z'));
    expect(application?.field('Data')).toEqual(['first', 'second']);
    expect(application?.computer).toBe('WEB02');
    expect(application?.channel).toBe('Application');
  });

  it.skipIf(!existsSync(regression))('takes the time from the FILETIME as parsing its text would, on every record of regression_data', async () => {
    const files = readdirSync(regression, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.toLowerCase().endsWith('.evtx'))
      .sort();
    let records = 0;
    for (const f of files) {
      for (const fields of await readFields(path.join(regression, f))) {
        const created = fields.text('TimeCreated_SystemTime');
        expect(created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
        expect(fields.time).toBe(Date.parse(created as string));
        records += 1;
      }
    }
    expect(records).toBeGreaterThan(200);
  });
});
