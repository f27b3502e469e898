import { describe, expect, it } from 'vitest';
import type { RuleMeta } from '../../core/rule-meta.js';
import { FieldRecord } from '../../formats/web-log/field-record.js';
import { fieldLayout } from '../../formats/web-log/field-layout.js';
import { FindingAggregator } from '../../core/finding-aggregator.js';
import { attemptThenSuccess, OUTCOME_GRADED_TAG, OutcomeGrader } from './grade-by-outcome.js';

const LAYOUT = fieldLayout(['cs-uri-stem', 'sc-status']);
const record = (status: string): FieldRecord => new FieldRecord('w3c', 'a.log', 1, `/x ${status}`, undefined, LAYOUT, ['/x', status]);
const rule = (tags: string[]): RuleMeta => ({ id: 'r', title: 'Exploit', description: 'An exploit.', severity: 'critical', confidence: 'firm', engine: 'sigma', category: 'webserver', tags, references: [] });

describe('OutcomeGrader', () => {
  it('makes a refused hit of a graded rule a low attempt of its own, and keeps successes as they are', () => {
    const grader = new OutcomeGrader();
    const graded = rule(['attack.t1190', OUTCOME_GRADED_TAG]);
    for (const status of ['401', '403', '404']) {
      const hit = grader.grade(graded, record(status));
      expect([hit.rule.id, hit.rule.severity, hit.outcome]).toEqual(['r', 'low', ' refused']);
      expect(hit.rule.title).toMatch(/attempt only/);
    }
    expect(grader.grade(graded, record('404')).rule).toBe(grader.grade(graded, record('401')).rule);
    for (const status of ['200', '302', '500']) expect(grader.grade(graded, record(status))).toEqual({ rule: graded, outcome: '' });
  });

  it('takes every HTTPERR line as refused: HTTP.sys logs the requests it refused or dropped, with their reason', () => {
    const httperr = fieldLayout(['cs-uri-stem', 'sc-status', 's-reason']);
    const line = (status: string, reason: string): FieldRecord => new FieldRecord('httperr', 'httperr1.log', 1, `/x ${status} ${reason}`, undefined, httperr, ['/x', status, reason]);
    const graded = rule(['attack.t1190', OUTCOME_GRADED_TAG]);
    expect(new OutcomeGrader().grade(graded, line('400', 'URL')).outcome).toBe(' refused');
    expect(new OutcomeGrader().grade(graded, line('-', 'Timer_ConnectionIdle')).outcome).toBe(' refused');
    expect(new OutcomeGrader().grade(graded, line('200', '-')).outcome).toBe('');
  });

  it('leaves rules without the tag alone, whatever the answer', () => {
    const plain = rule(['attack.t1190']);
    expect(new OutcomeGrader().grade(plain, record('404'))).toEqual({ rule: plain, outcome: '' });
  });
});

describe('attemptThenSuccess', () => {
  const asset = { id: '10.0.0.1/W3SVC1', kind: 'site' } as const;
  const graded = rule(['attack.t1190', OUTCOME_GRADED_TAG]);
  const groupsOf = (hits: [status: string, client: string, time: number][]): ReturnType<FindingAggregator['groups']> => {
    const grader = new OutcomeGrader();
    const aggregator = new FindingAggregator(5);
    hits.forEach(([status, client, time], i) => {
      const hit = grader.grade(graded, record(status));
      aggregator.add({ rule: hit.rule, asset, locationKey: `${client}${hit.outcome}`, evidence: { kind: 'log-line', file: 'a.log', line: i + 2, time } });
    });
    return aggregator.groups();
  };

  it('joins a client\'s refused attempts and a later answered one into one critical finding', () => {
    const drafts = attemptThenSuccess(groupsOf([['404', '203.0.113.9', 1000], ['404', '203.0.113.9', 2000], ['200', '203.0.113.9', 3000]]));
    expect(drafts.map((d) => [d.rule.id, d.rule.severity, d.locationKey, d.evidence.line])).toEqual([
      ['w3g-web-attempt-then-success', 'critical', '203.0.113.9', 2],
      ['w3g-web-attempt-then-success', 'critical', '203.0.113.9', 4],
    ]);
  });

  it('says nothing for attempts only, success only, a success before every attempt, or another client\'s success', () => {
    expect(attemptThenSuccess(groupsOf([['404', '203.0.113.9', 1000], ['401', '203.0.113.9', 2000]]))).toEqual([]);
    expect(attemptThenSuccess(groupsOf([['200', '203.0.113.9', 1000]]))).toEqual([]);
    expect(attemptThenSuccess(groupsOf([['200', '203.0.113.9', 1000], ['404', '203.0.113.9', 2000]]))).toEqual([]);
    expect(attemptThenSuccess(groupsOf([['404', '203.0.113.9', 1000], ['200', '198.51.100.1', 2000]]))).toEqual([]);
  });
});

