import { describe, expect, it } from 'vitest';
import { UsageError } from './exit-code.js';
import { burstOption, offsetOption, severityOption, timeOption } from './parse-option.js';

describe('command-line option parsers', () => {
  it('--burst: known detectors, a positive threshold, an optional window', () => {
    expect(burstOption(['w3g-web-burst-500-one-page=40', 'w3g-web-burst-404-scan=300/10m'])).toEqual({
      'w3g-web-burst-500-one-page': { threshold: 40 },
      'w3g-web-burst-404-scan': { threshold: 300, windowMs: 600_000 },
    });
    for (const bad of ['nope=3', 'w3g-web-burst-404-scan=0', 'w3g-web-burst-404-scan=5/10x', '__proto__=1', 'w3g-web-burst-404-scan']) {
      expect(() => burstOption([bad]), bad).toThrow(UsageError);
    }
  });

  it('severities, times and offsets say what they take', () => {
    expect(severityOption('--fail-on', 'HIGH')).toBe('high');
    expect(() => severityOption('--fail-on', 'severe')).toThrow(/info, low, medium, high or critical/);
    expect(timeOption('--since', '2024-03-11')).toBe(Date.UTC(2024, 2, 11));
    expect(timeOption('--since', '2024-03-11T14:00:00+02:00')).toBe(Date.UTC(2024, 2, 11, 12));
    expect(() => timeOption('--since', 'yesterday')).toThrow(UsageError);
    expect(offsetOption('--local-offset', '-05:30')).toBe(-330);
    expect(() => offsetOption('--local-offset', '+25:00')).toThrow(UsageError);
  });
});
