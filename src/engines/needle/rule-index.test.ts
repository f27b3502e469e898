import { describe, expect, it } from 'vitest';
import type { Detector } from '../../core/detector.js';
import { RuleIndex } from './rule-index.js';

const detector = (id: string, needles?: string[]): Detector<string> => ({ meta: { id } as never, ...(needles === undefined ? {} : { needles }), test: () => true });

describe('RuleIndex', () => {
  const rules = [detector('a', ['web.config']), detector('b'), detector('c', ['jndi', 'user agent']), detector('d', ['shell.aspx'])];
  const index = new RuleIndex(rules);
  const ids = (texts: string[]): string[] => index.candidates(texts).map((d) => d.meta.id);

  it('keeps detectors whose needle occurs, in their order, plus those without needles', () => {
    expect(ids(['GET /Web.Config'])).toEqual(['a', 'b']);
    expect(ids(['x', '${JNDI:ldap}'])).toEqual(['b', 'c']);
    expect(ids(['Mozilla user+agent /shell.aspx'])).toEqual(['b', 'c', 'd']);
    expect(ids(['nothing here'])).toEqual(['b']);
  });

  it('leaves out the detectors marked as excluded, needle-less ones included, and forgets nothing between calls', () => {
    const excluded = Uint8Array.from([0, 1, 0, 1]);
    expect(index.candidates(['Mozilla user+agent /shell.aspx web.config'], excluded).map((d) => d.meta.id)).toEqual(['a', 'c']);
    expect(ids(['Mozilla user+agent /shell.aspx web.config'])).toEqual(['a', 'b', 'c', 'd']);
  });
});
