import { describe, expect, it } from 'vitest';
import { filetimeToDate } from './filetime-to-date.js';

describe('filetimeToDate', () => {
  it('converts FILETIME ticks to dates, including the extremes', () => {
    expect(filetimeToDate(133_486_382_450_000_000n).toISOString()).toBe('2024-01-02T03:04:05.000Z');
    expect(filetimeToDate(0n).toISOString()).toBe('1601-01-01T00:00:00.000Z');
    expect(Number.isNaN(filetimeToDate(0xffff_ffff_ffff_ffffn).getTime())).toBe(false);
  });
});
