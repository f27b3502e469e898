import { describe, expect, it } from 'vitest';
import { isLogFileName, isZipFileName } from './is-log-file-name.js';

describe('isLogFileName', () => {
  it.each([
    'u_ex240101.log',
    'U_EX240101.LOG',
    'u_ex24010112.log',
    'u_extend1.log',
    'u_in240101.log',
    'u_nc240101.log',
    'u_ex240101_x.log',
    'anything_x.log',
    'ex240101.log',
    'in240101.log',
    'nc240101.log',
    'httperr1.log',
    'HTTPERR12.LOG',
    'u_ex240101.log.gz',
    'ex240101.LOG.GZ',
    'httperr3.log.gz',
  ])('takes %s', (name) => {
    expect(isLogFileName(name)).toBe(true);
  });

  it.each(['access.log', 'u_ex240101.txt', 'u_ex240101.log.bak', 'u_ex240101.log.zip', 'x.log', 'u_ex240101.logx', 'readme', 'u_ex240101.gz', '_x.log.tar'])(
    'leaves %s',
    (name) => {
      expect(isLogFileName(name)).toBe(false);
    },
  );

  it('tells zip archives by name, case-insensitively', () => {
    expect(['logs.zip', 'LOGS.ZIP', 'a.b.Zip'].map(isZipFileName)).toEqual([true, true, true]);
    expect(['logs.zip.gz', 'zip', 'logs.7z'].map(isZipFileName)).toEqual([false, false, false]);
  });
});
