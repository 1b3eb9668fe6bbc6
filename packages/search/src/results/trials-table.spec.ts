import { describe, expect, it } from 'vitest';
import { StudyResultsError } from './results-error.js';
import { LR, makeTrial, MOMENTUM, OPTIMIZER, X } from './synthetic-trials.js';
import { bestTrial, formatTrialsTable, trialsTable } from './trials-table.js';

const flag = { kind: 'categorical', choices: [true, false, null] } as const;

// Given out of order on purpose; trial 3 is the best for minimize, trial 1 for maximize.
const trials = [
  makeTrial(2, { lr: [LR, 0.001], optimizer: [OPTIMIZER, 'sgd'], momentum: [MOMENTUM, 0.9] }, 0.5, 'pruned'),
  makeTrial(0, { lr: [LR, 0.01], optimizer: [OPTIMIZER, 'adam'] }, 0.25),
  makeTrial(3, { lr: [LR, 4.5e-5], optimizer: [OPTIMIZER, 'adam'], flag: [flag, null] }, 0.125),
  makeTrial(1, { lr: [LR, 0.1], optimizer: [OPTIMIZER, 'sgd'], momentum: [MOMENTUM, 0.5] }, 3),
  makeTrial(4, { lr: [LR, 0.02] }, undefined, 'fail', { error: 'diverged' }),
  makeTrial(5, { lr: [LR, 0.03] }, undefined, 'running'),
];

describe('trialsTable', () => {
  it('has fixed columns then parameters in order of first appearance, rows sorted by number', () => {
    const table = trialsTable(trials, 'minimize');
    expect(table.columns).toEqual(['number', 'state', 'value', 'duration', 'lr', 'optimizer', 'momentum', 'flag']);
    expect(table.rows.map((r) => r[0])).toEqual([0, 1, 2, 3, 4, 5]);
    // makeTrial: trial n runs (1500 + 100 n) ms; a running trial has no duration.
    expect(table.rows[0]).toEqual([0, 'complete', 0.25, 1.5, 0.01, 'adam', null, null]);
    expect(table.rows[1]).toEqual([1, 'complete', 3, 1.6, 0.1, 'sgd', 0.5, null]);
    expect(table.rows[3]).toEqual([3, 'complete', 0.125, 1.8, 4.5e-5, 'adam', null, 'null']);
    expect(table.rows[4]).toEqual([4, 'fail', null, 1.9, 0.02, null, null, null]);
    expect(table.rows[5]).toEqual([5, 'running', null, null, 0.03, null, null, null]);
  });

  it('names the best complete trial for the direction (a pruned trial with a better value does not count)', () => {
    expect(trialsTable(trials, 'minimize').best).toBe(3);
    expect(trialsTable(trials, 'maximize').best).toBe(1);
    expect(bestTrial([makeTrial(0, {}, 0.5, 'pruned')], 'minimize')).toBeUndefined();
    expect(trialsTable([makeTrial(0, {}, 0.5, 'pruned')], 'minimize').best).toBeUndefined();
    // Ties: the lower number wins.
    expect(bestTrial([makeTrial(1, {}, 2), makeTrial(0, {}, 2)], 'minimize')?.number).toBe(0);
  });
});

describe('formatTrialsTable', () => {
  it('aligns columns, marks the best trial and leaves missing parameters blank', () => {
    const text = formatTrialsTable(trials, 'minimize');
    const lines = text.split('\n');
    expect(lines).toHaveLength(1 + 6 + 1);
    expect(lines[0]).toMatch(/^ {2}number {2}state {4}/);
    expect(lines[0]!.trimEnd().split(/\s+/).slice(1)).toEqual(['number', 'state', 'value', 'duration', 'lr', 'optimizer', 'momentum', 'flag']);
    const row = (n: number) => lines.find((l) => new RegExp(`^[* ] +${n}  `).test(l))!;
    expect(row(3).startsWith('*')).toBe(true);
    expect(lines.filter((l) => l.startsWith('*'))).toHaveLength(2); // the row and the footer
    expect(row(3)).toContain('4.5e-5');
    expect(row(0)).toMatch(/ 0\.25 +1\.5s +0\.01 +adam$/); // momentum and flag blank, trailing spaces trimmed
    expect(row(5)).toMatch(/running {2,}0\.03$/);
    // Numbers are right aligned: the value column ends at the same offset in every row.
    const valueEnd = lines[0]!.indexOf('value') + 'value'.length;
    for (const n of [0, 1, 2, 3]) expect(row(n).slice(0, valueEnd)).toMatch(/\d$/);
    expect(lines.at(-1)).toBe('* best trial: 3 (value 0.125, minimize)');
  });

  it('sorts by value (best first, pruned next, trials without value last) and limits rows', () => {
    const text = formatTrialsTable(trials, 'minimize', { sortBy: 'value', limit: 4 });
    const numbers = text.split('\n').slice(1, 5).map((l) => Number(l.slice(1).trim().split(/\s+/)[0]));
    expect(numbers).toEqual([3, 0, 1, 2]);
    expect(text).toContain('... 2 more trials');
    const max = formatTrialsTable(trials, 'maximize', { sortBy: 'value' }).split('\n');
    expect(max[1]).toMatch(/^\* +1 /);
    expect(max.slice(1, 7).map((l) => Number(l.slice(1).trim().split(/\s+/)[0]))).toEqual([1, 0, 3, 2, 4, 5]);
  });

  it('says when there is no complete trial, and refuses a bad limit', () => {
    expect(formatTrialsTable([], 'minimize')).toContain('no complete trial yet (0 trials)');
    expect(formatTrialsTable([makeTrial(0, { x: [X, 0.5] }, undefined, 'running')], 'minimize')).not.toContain('*');
    expect(() => formatTrialsTable(trials, 'minimize', { limit: -1 })).toThrow(StudyResultsError);
  });
});
