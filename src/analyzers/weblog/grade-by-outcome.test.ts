import { describe, expect, it } from 'vitest';
import type { RuleMeta } from '../../core/rule-meta.js';
import { FieldRecord } from '../../formats/web-log/field-record.js';
import { fieldLayout } from '../../formats/web-log/field-layout.js';
import { OUTCOME_GRADED_TAG, OutcomeGrader } from './grade-by-outcome.js';

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

  it('leaves rules without the tag alone, whatever the answer', () => {
    const plain = rule(['attack.t1190']);
    expect(new OutcomeGrader().grade(plain, record('404'))).toEqual({ rule: plain, outcome: '' });
  });
});
