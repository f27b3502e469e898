import { describe, expect, it } from 'vitest';
import { DecisionTableError, parseDecisionTable } from './parse-decision-table.js';

describe('parseDecisionTable', () => {
  it('reads the header, the rows in order, and skips comments and blank lines', () => {
    const table = parseDecisionTable('# a note\nrow,A v1,B v1,Outcome v1\r\n0,no,low,track\n\n1,yes,low,act\n');
    expect(table).toEqual({
      inputs: ['A v1', 'B v1'],
      outcome: 'Outcome v1',
      rows: [
        { row: 0, values: ['no', 'low'], outcome: 'track' },
        { row: 1, values: ['yes', 'low'], outcome: 'act' },
      ],
    });
  });

  it.each([
    ['', /empty/],
    ['id,A,Outcome\n0,no,track', /header/],
    ['row,A,Outcome\n0,no', /line 2: 2 cells/],
    ['row,A,Outcome\n1,no,track', /row 1 where row 0/],
    ['row,A,Outcome\n0,,track', /empty cell/],
    ['row,A,Outcome\n0,no,track\n1,no,act', /already decided/],
  ])('refuses %j', (text, message) => {
    expect(() => parseDecisionTable(text)).toThrow(DecisionTableError);
    expect(() => parseDecisionTable(text)).toThrow(message);
  });
});
