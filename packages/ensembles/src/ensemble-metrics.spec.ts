import { describe, expect, it } from 'vitest';
import { ensembleMetrics } from './ensemble-metrics.js';
import { EnsembleError } from './errors.js';

// Two classes with logits (0, z): P(class 1) = 1 / (1 + e^-z). z = ±ln 3 gives 0.75 / 0.25, z = ±ln 9 gives 0.9 / 0.1.
const L3 = Math.log(3);
const L9 = Math.log(9);
const rows = (...z: number[]) => Float32Array.from(z.flatMap((v) => [0, v]));
const close = (actual: number, expected: number) => expect(actual).toBeCloseTo(expected, 6);

describe('ensembleMetrics', () => {
  // labels 0, 1, 1, 0; member predictions A: 0 1 0 1, B: 1 1 1 0, C: 0 0 0 1
  const labels = [0, 1, 1, 0];
  const A = rows(-L3, L3, -L3, L3);
  const B = rows(L3, L3, L3, -L3);
  const C = rows(-L3, -L3, -L3, L3);

  it('scores each member, the ensemble under every rule, the mean and best member and the gains (hand computed)', () => {
    const m = ensembleMetrics([A, B, C], labels, 2, 'mean-probability');
    // probability of the true class per row: A .75 .75 .25 .25, B .25 .75 .75 .75, C .75 .25 .25 .25
    const nll = (...p: number[]) => -p.reduce((s, v) => s + Math.log(v), 0) / p.length;
    expect(m.members.map((s) => s.accuracy)).toEqual([0.5, 0.75, 0.25]);
    close(m.members[0]!.nll, nll(0.75, 0.75, 0.25, 0.25));
    close(m.members[1]!.nll, nll(0.25, 0.75, 0.75, 0.75));
    close(m.members[2]!.nll, nll(0.75, 0.25, 0.25, 0.25));
    // mean probability of class 1: 1.25/3, 1.75/3, 1.25/3, 1.75/3 -> predictions 0 1 0 1
    expect(m.byRule['mean-probability'].accuracy).toBe(0.5);
    close(m.byRule['mean-probability'].nll, nll(1.75 / 3, 1.75 / 3, 1.25 / 3, 1.25 / 3));
    // mean logit: -L3/3, L3/3, -L3/3, L3/3 -> same predictions, true-class probability s(±L3/3)
    const s = (z: number) => 1 / (1 + Math.exp(-z));
    expect(m.byRule['mean-logit'].accuracy).toBe(0.5);
    close(m.byRule['mean-logit'].nll, nll(s(L3 / 3), s(L3 / 3), s(-L3 / 3), s(-L3 / 3)));
    // votes (class 0 : class 1): 2:1, 1:2, 2:1, 1:2 -> 0 1 0 1; NLL is that of the mean probabilities
    expect(m.byRule.vote).toEqual({ accuracy: 0.5, nll: m.byRule['mean-probability'].nll });
    expect(m.ensemble).toEqual(m.byRule['mean-probability']);
    expect(m.meanMember.accuracy).toBe(0.5);
    close(m.meanMember.nll, (m.members[0]!.nll + m.members[1]!.nll + m.members[2]!.nll) / 3);
    expect(m.bestMember).toEqual({ ...m.members[1]!, index: 1 });
    expect(m.gainOverMeanMember.accuracy).toBe(0);
    close(m.gainOverMeanMember.nll, m.ensemble.nll - m.meanMember.nll);
    expect(m.gainOverBestMember.accuracy).toBe(-0.25);
    close(m.gainOverBestMember.nll, m.ensemble.nll - m.members[1]!.nll);
    expect(ensembleMetrics([A, B, C], labels, 2, 'mean-logit').ensemble).toEqual(m.byRule['mean-logit']);
  });

  it('vote ties go to the higher mean probability; weights shift votes and means', () => {
    // labels 1, 0. P: A .9 .75 (votes 1 1), B .25 .1 (votes 0 0): both rows tie 1:1;
    // mean P(class 1) .575 and .425 -> 1, 0: both right, although each member is right once.
    const a = rows(L9, L3);
    const b = rows(-L3, -L9);
    const m = ensembleMetrics([a, b], [1, 0], 2, 'vote');
    expect(m.members.map((x) => x.accuracy)).toEqual([0.5, 0.5]);
    expect(m.ensemble.accuracy).toBe(1);
    close(m.ensemble.nll, -Math.log(0.575));
    expect(m.gainOverBestMember.accuracy).toBe(0.5);
    expect(m.bestMember.index).toBe(0); // equal accuracy and NLL (-(ln .9 + ln .25) / 2 both): the lower index
    const w = ensembleMetrics([a, b], [1, 0], 2, 'vote', [3, 1]);
    expect(w.ensemble.accuracy).toBe(0.5); // A outvotes B in both rows
    close(w.byRule['mean-probability'].nll, -(Math.log(0.75 * 0.9 + 0.25 * 0.25) + Math.log(0.75 * 0.25 + 0.25 * 0.9)) / 2);
  });

  it('accepts bigint labels and checks its inputs', () => {
    expect(ensembleMetrics([A, B], BigInt64Array.from([0n, 1n, 1n, 0n]), 2).members[1]!.accuracy).toBe(0.75);
    const fails = (f: () => unknown, message: RegExp) => {
      expect(f).toThrow(EnsembleError);
      expect(f).toThrow(message);
    };
    fails(() => ensembleMetrics([A, Float32Array.from([1])], labels, 2), /^memberLogits\[1\]: has 1 values, expected 4 x 2/);
    fails(() => ensembleMetrics([A, B], [0, 1, 2, 0], 2), /^labels\[2\]: is 2, outside the classes 0\.\.1/);
    fails(() => ensembleMetrics([], [], 2), /^memberLogits: no members/);
    fails(() => ensembleMetrics([A, B], labels, 2, 'vote', [1, 2, 3]), /^weights: 3 weights given for 2 members/);
  });
});
