import { describe, expect, it } from 'vitest';
import { utcTime } from './utc-time.js';

describe('utcTime', () => {
  it('agrees with Date.parse on valid times, whatever the date before it', () => {
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pad = (n: number): string => String(n).padStart(2, '0');
    for (let i = 0; i < 2000; i += 1) {
      const date = `${1990 + next(60)}-${pad(1 + next(12))}-${pad(1 + next(28))}`;
      const time = `${pad(next(24))}:${pad(next(60))}:${pad(next(60))}`;
      expect(utcTime(date, time), `${date} ${time}`).toBe(Date.parse(`${date}T${time}Z`));
    }
  });

  it('keeps milliseconds out and rejects malformed parts', () => {
    expect(utcTime('2024-03-11', '10:00:00.123')).toBe(Date.parse('2024-03-11T10:00:00Z'));
    for (const [date, time] of [
      ['2024-03-11', '24:00:00'],
      ['2024-03-11', '10:60:00'],
      ['2024-03-11', '1:00:00'],
      ['2024-13-11', '10:00:00'],
      ['2024-03-00', '10:00:00'],
      ['2024/03/11', '10:00:00'],
      ['24-03-11', '10:00:00'],
      ['2024-03-1x', '10:00:00'],
      ['2024-03-11', '10-00-00'],
    ] as const) {
      expect(utcTime(date, time), `${date} ${time}`).toBeUndefined();
    }
    // A bad date after a good one is not answered from the remembered one.
    expect(utcTime('2024-03-11', '10:00:00')).toBeDefined();
    expect(utcTime('2024-03-1x', '10:00:00')).toBeUndefined();
  });
});
