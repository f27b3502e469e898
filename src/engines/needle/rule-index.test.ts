import { describe, expect, it } from 'vitest';
import type { Detector } from '../../core/detector.js';
import { NeedleAutomaton } from './needle-automaton.js';
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

  it('gives the same detectors from the states a larger automaton reached in the texts as from the texts', () => {
    // The line prefilter holds every rule needle and more (burst needles), in other groups; a detector
    // without needles is a candidate for every record either way.
    const prefilter = NeedleAutomaton.forDetectorGroups<Pick<Detector<string>, 'needles'>>([rules.filter((rule) => rule.needles !== undefined), [{ needles: [' 404', 'config'] }]]);
    if (prefilter === undefined) throw new Error('no automaton');
    const owners = index.ownersByState(prefilter);
    if (owners === undefined) throw new Error('not covered');
    const statesIn = (texts: string[]): number[] => {
      const states: number[] = [];
      for (const text of texts) {
        let state = 0;
        for (const char of Buffer.from(text.toLowerCase(), 'latin1')) {
          const t = prefilter.delta[state + (prefilter.classOf[char] as number)] as number;
          state = t < 0 ? ~t : t;
          if (t < 0) states.push(state / prefilter.classCount);
        }
      }
      return states;
    };
    const samples = [['GET /Web.Config'], ['x', '${JNDI:ldap}'], ['Mozilla user+agent /shell.aspx web.config 404'], ['nothing here'], ['config 404'], []];
    const excluded = Uint8Array.from([0, 1, 0, 0]);
    for (const texts of samples) {
      expect(index.candidatesAt(statesIn(texts), owners).map((d) => d.meta.id)).toEqual(ids(texts));
      expect(index.candidatesAt(statesIn(texts), owners, excluded)).toEqual(index.candidates(texts, excluded));
    }
  });

  it('cannot give candidates from an automaton that lacks one of its needles, or for needles that are not ASCII', () => {
    expect(index.ownersByState(NeedleAutomaton.build(['web.config', 'jndi', 'user agent', 'user+agent']))).toBeUndefined();
    const accented = new RuleIndex([detector('e', ['café'])]);
    expect(accented.ownersByState(NeedleAutomaton.build(['café']))).toBeUndefined();
  });
});
