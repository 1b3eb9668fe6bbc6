import { describe, expect, it } from 'vitest';
import type { RunCurves } from './curves.js';
import { defaultRules, defaultThresholds, diagnose, type DoctorRule } from './doctor.js';
import { doctorContext } from './doctor-context.js';
import { resolveThresholds } from './doctor-thresholds.js';
import { DiagnosticsError } from './errors.js';
import type { Finding } from './findings.js';
import {
  decayedTooEarlyRun,
  explodingRun,
  healthyRun,
  lrTooHighRun,
  lrTooLowRun,
  nonFiniteRun,
  overfittingRun,
  trainLongerRun,
  underfittingRun,
  updateRatioRun,
  type SyntheticCase,
  type SyntheticRun,
} from './synthetic-curves.js';

type Make = (seed: number, overrides?: Partial<SyntheticRun>) => SyntheticCase;

/** Each condition's curve and the rules (ids, sorted) that must fire on it — and no others. */
const CONDITIONS: [string, Make, string[]][] = [
  ['healthy', healthyRun, []],
  ['lr too low', lrTooLowRun, ['lr-too-low']],
  ['lr too high', lrTooHighRun, ['lr-too-high']],
  ['decayed too early', decayedTooEarlyRun, ['decayed-too-early']],
  ['overfitting', overfittingRun, ['overfitting']],
  ['underfitting', underfittingRun, ['underfitting']],
  ['train longer', trainLongerRun, ['train-longer']],
  ['exploding', explodingRun, ['diverged']],
  ['non-finite', nonFiniteRun, ['diverged']],
  ['update ratios', updateRatioRun, ['update-ratio', 'update-ratio']],
];

/** Curve variants the rules must be robust to; overfitting cannot be seen without validation. */
const VARIANTS: [string, Partial<SyntheticRun>][] = [
  ['batch and epoch points', {}],
  ['epoch points only', { batches: false }],
  ['no validation', { validation: false }],
  ['no accuracies', { accuracy: false }],
];

const ids = (findings: readonly Finding[]) => findings.map((f) => f.id).sort();

describe('diagnose', () => {
  describe.each(VARIANTS)('on %s', (variant, overrides) => {
    it.each(CONDITIONS)('%s: exactly the expected rules fire (seeds 1-3)', (_name, make, expected) => {
      const want = overrides.validation === false ? expected.filter((id) => id !== 'overfitting') : expected;
      for (const seed of [1, 2, 3]) expect(ids(diagnose(make(seed, overrides).curves)), `${variant}, seed ${seed}`).toEqual(want);
    });
  });

  it('finds no warning or error on healthy curves over many seeds', () => {
    for (let seed = 1; seed <= 20; seed++) expect(diagnose(healthyRun(seed).curves).filter((f) => f.severity !== 'info')).toEqual([]);
  });

  it('orders findings error > warning > info, rule order within a severity', () => {
    const finding = (id: string, severity: Finding['severity']): Finding => ({ id, severity, title: id, evidence: [], suggestion: '' });
    const rule = (id: string, severity: Finding['severity']): DoctorRule => ({ id, check: () => [finding(id, severity)] });
    const rules = [rule('a', 'info'), rule('b', 'warning'), rule('c', 'error'), rule('d', 'warning'), rule('e', 'info'), rule('f', 'error')];
    expect(diagnose(healthyRun(1).curves, { rules }).map((f) => f.id)).toEqual(['c', 'f', 'b', 'd', 'a', 'e']);
  });

  it('runs the given rules with the shared context and the overridden thresholds', () => {
    const seen: number[] = [];
    const probe: DoctorRule = {
      id: 'probe',
      check: (_curves, ctx) => {
        seen.push(ctx.thresholds.targetAccuracy, ctx.thresholds.ratioHigh);
        return [];
      },
    };
    expect(diagnose(healthyRun(1).curves, { rules: [probe], targetAccuracy: 0.9 })).toEqual([]);
    expect(seen).toEqual([0.9, defaultThresholds.ratioHigh]);
  });

  it('has the eight built-in rules in report order', () => {
    expect(defaultRules().map((r) => r.id)).toEqual(['diverged', 'lr-too-low', 'lr-too-high', 'decayed-too-early', 'overfitting', 'underfitting', 'train-longer', 'update-ratio']);
  });

  it('rejects invalid thresholds with the option named', () => {
    const curves = healthyRun(1).curves;
    expect(() => diagnose(curves, { targetAccuracy: 1.5 })).toThrow(DiagnosticsError);
    expect(() => diagnose(curves, { targetAccuracy: 1.5 })).toThrow('doctor option targetAccuracy: is a fraction and must be at most 1, got 1.5');
    expect(() => diagnose(curves, { explosionFactor: -1 })).toThrow('doctor option explosionFactor: must be a positive finite number, got -1');
    expect(() => diagnose(curves, { ratioLow: 0.1 })).toThrow(/ratioLow must be below ratioHigh/);
    expect(() => diagnose(curves, { decayFactor: 1 })).toThrow(/decayFactor: must be above 1/);
  });

  it('returns nothing for empty or very short runs, rather than guessing', () => {
    const empty: RunCurves = { epochs: [], batches: [], ratios: [], finished: true };
    expect(diagnose(empty)).toEqual([]);
    for (const make of [lrTooLowRun, lrTooHighRun, overfittingRun, underfittingRun, trainLongerRun, decayedTooEarlyRun]) {
      expect(diagnose(make(1, { epochs: 3, stepsPerEpoch: 15 }).curves)).toEqual([]);
    }
  });

  it('does not judge a young unfinished run by its whole shape, nor tell it to train longer', () => {
    for (const make of [lrTooLowRun, lrTooHighRun, underfittingRun, decayedTooEarlyRun, trainLongerRun]) {
      expect(diagnose(make(1, { runningEpochs: 2 }).curves)).toEqual([]);
    }
    expect(diagnose(trainLongerRun(1, { runningEpochs: 8 }).curves)).toEqual([]);
  });
});

describe('doctorContext', () => {
  it('knows the steps per epoch, the epoch of a step, convergence and whether the shape can be judged', () => {
    const th = resolveThresholds();
    const healthy = doctorContext(healthyRun(1).curves, th);
    expect(healthy.stepsPerEpoch).toBe(100);
    // 10 epochs of 100 steps, numbered from 1: epoch e covers steps [100 (e - 1), 100 e)
    expect([healthy.epochOf(0), healthy.epochOf(99), healthy.epochOf(100), healthy.epochOf(250), healthy.epochOf(999)]).toEqual([1, 1, 2, 3, 10]);
    // from the epoch points (their steps are the epoch ends), then from the steps per epoch; 1 when nothing is known
    const byEpochs = doctorContext(healthyRun(1, { batches: false }).curves, th);
    expect([byEpochs.epochOf(0), byEpochs.epochOf(99), byEpochs.epochOf(100), byEpochs.epochOf(250), byEpochs.epochOf(999), byEpochs.epochOf(1050)]).toEqual([1, 1, 2, 3, 10, 11]);
    expect(doctorContext({ epochs: [], batches: [], ratios: [], finished: true }, th).epochOf(5)).toBe(1);
    expect(healthy.converged).toBe(true);
    expect(healthy.judgeShape).toBe(true);
    expect(healthy.trend?.source).toBe('batch');
    const slow = doctorContext(lrTooLowRun(1).curves, th);
    expect(slow.converged).toBe(false);
    expect(doctorContext(lrTooLowRun(1, { runningEpochs: 2 }).curves, th).judgeShape).toBe(false);
    expect(doctorContext(lrTooLowRun(1, { runningEpochs: 3 }).curves, th).judgeShape).toBe(true);
    expect(doctorContext(lrTooLowRun(1, { batches: false }).curves, th).trend?.source).toBe('epoch');
  });
});
