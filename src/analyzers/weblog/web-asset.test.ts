import { describe, expect, it } from 'vitest';
import { WebLogReader } from '../../formats/web-log/web-log-reader.js';
import type { WebRecord } from '../../formats/web-log/web-record.js';
import { webAsset, webSource } from './web-asset.js';

function record(file: string, text: string): WebRecord {
  const out: WebRecord[] = [];
  const reader = new WebLogReader({ file, onRecord: (r) => out.push(r), onIssue: () => undefined });
  reader.push(Buffer.from(text));
  reader.end();
  return out[0] as WebRecord;
}

describe('webAsset and webSource', () => {
  const fields = '#Fields: date time s-ip cs-method cs-uri-stem c-ip X-Forwarded-For\n';
  it('names the site from the W3SVC folder, qualified by the server address', () => {
    const r = record('LogFiles/W3SVC2/u_ex240311.log', `${fields}2024-03-11 00:00:01 10.0.0.5 GET / 10.0.0.9 203.0.113.4,+10.0.0.9\n`);
    expect(webAsset(r)).toEqual({ id: '10.0.0.5/W3SVC2', kind: 'site' });
    expect(webSource(r)).toBe('203.0.113.4');
  });

  it('falls back to the server, and to c-ip without a forwarded address', () => {
    const r = record('-', `${fields}2024-03-11 00:00:01 10.0.0.5 GET / 10.0.0.9 -\n`);
    expect(webAsset(r)).toEqual({ id: '10.0.0.5', kind: 'host' });
    expect(webSource(r)).toBe('10.0.0.9');
  });

  it('puts HTTPERR lines on HTTP.sys of the server, also inside archives', () => {
    const r = record(
      'logs.zip!W3SVC1/httperr1.log',
      '#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason s-queuename\n2024-03-11 00:01:02 198.51.100.7 63421 10.30.0.10 443 HTTP/1.1 GET /x - 400 2 BadRequest -\n',
    );
    expect(webAsset(r)).toEqual({ id: '10.30.0.10/HTTP.sys', kind: 'http-sys' });
  });
});
