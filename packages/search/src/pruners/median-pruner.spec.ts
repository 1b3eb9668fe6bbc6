import { describe, expect, it } from 'vitest';
import type { FrozenTrial } from '../types.js';
import { MedianPruner } from './median-pruner.js';
import { NopPruner } from './nop-pruner.js';
import { PercentilePruner } from './percentile-pruner.js';
import { PrunerOptionError, percentileOf } from './pruner-utils.js';
import { studyOf, trialOf } from './study-fixture.js';

// five complete learning curves (steps 0..4); at step 3 their values are 5, 4, 6, 3, 7 (median 5, 25th percentile 4)
const curves = [
  [10, 8, 6, 5, 4],
  [9, 7, 5, 4, 3],
  [11, 9, 7, 6, 5],
  [8, 6, 4, 3, 2],
  [12, 10, 8, 7, 6],
];
const complete = curves.map((c, i) => trialOf(i, c));
const negate = (t: FrozenTrial): FrozenTrial => ({ ...t, intermediate: Object.fromEntries(Object.entries(t.intermediate).map(([s, v]) => [s, -v])) });
const running = (curve: number[] | Record<number, number>) => trialOf(5, curve, 'running');
const prune = (pruner: MedianPruner | PercentilePruner, trial: FrozenTrial, trials: FrozenTrial[] = complete, maximize = false) =>
  maximize ? pruner.shouldPrune(studyOf([...trials.map(negate), negate(trial)], 'maximize'), negate(trial)) : pruner.shouldPrune(studyOf([...trials, trial]), trial);

describe('MedianPruner', () => {
  const median = new MedianPruner();

  it('prunes a trial whose best value so far is above the median of the complete trials at its step', () => {
    expect(prune(median, running([9, 8, 7, 6]))).toBe(true); // best 6 > median 5
    expect(prune(median, running([9, 8, 7, 5.5]))).toBe(true);
    expect(prune(median, running([9, 8, 6, 4.5]))).toBe(false); // 4.5 < 5
    expect(prune(median, running([9, 8, 7, 5]))).toBe(false); // equal to the median: kept
    // the trial's best so far counts, not its latest value: 4 at step 1 keeps it although 6 > 5 now
    expect(prune(median, running([9, 4, 8, 6]))).toBe(false);
    // at step 0 the median is 10
    expect(prune(median, running([10.5]))).toBe(true);
    expect(prune(median, running([9.5]))).toBe(false);
  });

  it('maximizing flips every comparison', () => {
    for (const curve of [[9, 8, 7, 6], [9, 8, 6, 4.5], [9, 4, 8, 6], [10.5], [9.5]]) expect(prune(median, running(curve), complete, true)).toBe(prune(median, running(curve)));
    // directly: accuracies at step 1 are 0.5, 0.6, 0.7; a trial with 0.55 is below the median, 0.65 above
    const acc = [[0.3, 0.5], [0.4, 0.6], [0.5, 0.7]].map((c, i) => trialOf(i, c));
    const m = new MedianPruner({ nStartupTrials: 3 });
    expect(m.shouldPrune(studyOf([...acc, trialOf(3, [0.2, 0.55], 'running')], 'maximize'), trialOf(3, [0.2, 0.55], 'running'))).toBe(true);
    expect(m.shouldPrune(studyOf([...acc, trialOf(3, [0.2, 0.65], 'running')], 'maximize'), trialOf(3, [0.2, 0.65], 'running'))).toBe(false);
  });

  it('respects startup trials: only complete trials count', () => {
    const bad = running([9, 8, 7, 6]);
    expect(prune(median, bad, complete.slice(0, 4))).toBe(false); // 4 complete < nStartupTrials 5
    const withPruned = [...complete.slice(0, 4), trialOf(4, [12, 10, 8, 7, 6], 'pruned'), trialOf(6, [1, 1, 1, 1], 'running')];
    expect(prune(median, bad, withPruned)).toBe(false);
    expect(prune(new MedianPruner({ nStartupTrials: 4 }), bad, complete.slice(0, 4))).toBe(true); // values 5, 4, 6, 3: median 4.5
    expect(prune(new MedianPruner({ nStartupTrials: 0 }), bad, [])).toBe(false); // nothing complete: never prune
  });

  it('respects warmup steps', () => {
    const bad = running([9, 8, 7, 6]);
    expect(prune(new MedianPruner({ nWarmupSteps: 4 }), bad)).toBe(false); // step 3 < 4
    expect(prune(new MedianPruner({ nWarmupSteps: 3 }), bad)).toBe(true);
    expect(prune(new MedianPruner({ nWarmupSteps: 4 }), running([9, 8, 7, 6, 6.5]))).toBe(true); // step 4: median 4
  });

  it('checks once per interval, at the first report in each window', () => {
    const every2 = new MedianPruner({ intervalSteps: 2 });
    expect(prune(every2, running([9, 8, 7, 6]))).toBe(false); // step 3: step 2 already had this window's check
    expect(prune(every2, running({ 0: 13, 1: 11, 3: 6 }))).toBe(true); // step 2 skipped: the check happens at step 3
    expect(prune(every2, running([13, 11, 9]))).toBe(true); // step 2 is a check step (median 6)
    expect(prune(every2, running([13, 11]))).toBe(false); // step 1 is not
    const warm1 = new MedianPruner({ intervalSteps: 2, nWarmupSteps: 1 }); // checks at 1, 3, 5...
    expect(prune(warm1, running([13, 11]))).toBe(true);
    expect(prune(warm1, running([13, 11, 9]))).toBe(false);
    expect(prune(warm1, running([13, 11, 9, 6]))).toBe(true); // step 3 is a check step (median 5)
  });

  it('needs nMinTrials complete trials that reported the step', () => {
    const late = running({ 0: 99, 5: 99 }); // nobody reported step 5
    expect(prune(median, late)).toBe(false);
    expect(prune(new MedianPruner({ nMinTrials: 5 }), running([9, 8, 7, 6]))).toBe(true);
    expect(prune(new MedianPruner({ nMinTrials: 6 }), running([9, 8, 7, 6]))).toBe(false);
  });

  it('prunes a trial whose values are all NaN; ignores NaN among values', () => {
    expect(prune(median, running([NaN, NaN]))).toBe(true);
    expect(prune(median, running([NaN, 5]))).toBe(false); // median at step 1 is 8
    expect(percentileOf([NaN, 1, 3], 50)).toBe(2);
  });

  it("can compare with the other trials' best so far instead of their value at the step", () => {
    // trial 0 gets worse after step 1: at step 2 its value is 9, its best so far 2
    const others = [trialOf(0, [3, 2, 9]), trialOf(1, [3, 2.5, 2.4]), trialOf(2, [4, 3, 8])];
    const trial = trialOf(3, [4, 3.5, 3.5], 'running');
    const at = studyOf([...others, trial]);
    expect(new MedianPruner({ nStartupTrials: 3 }).shouldPrune(at, trial)).toBe(false); // median of 9, 2.4, 8 = 8
    expect(new MedianPruner({ nStartupTrials: 3, othersValue: 'best-so-far' }).shouldPrune(at, trial)).toBe(true); // median of 2, 2.4, 3 = 2.4
  });

  it('rejects invalid options with the option named', () => {
    expect(() => new MedianPruner({ intervalSteps: 0 })).toThrow(PrunerOptionError);
    expect(() => new MedianPruner({ nWarmupSteps: -1 })).toThrow(/MedianPruner\.nWarmupSteps: must be an integer >= 0, got -1/);
    expect(() => new PercentilePruner(101)).toThrow(/PercentilePruner\.percentile: must be in \[0, 100\]/);
    expect(() => new MedianPruner({ nMinTrials: 0 })).toThrow(/nMinTrials/);
  });
});

describe('PercentilePruner', () => {
  it('median is percentile 50; percentile 25 keeps the best quarter', () => {
    const trial = running([9, 8, 6, 4.5]); // at step 3: median 5, 25th percentile 4 (values 3, 4, 5, 6, 7)
    expect(prune(new PercentilePruner(50), trial)).toBe(false);
    expect(prune(new PercentilePruner(25), trial)).toBe(true);
    expect(prune(new PercentilePruner(25), trial, complete, true)).toBe(true); // maximize: 75th percentile of -7..-3 is -4 > -4.5
    expect(prune(new PercentilePruner(25), running([9, 8, 6, 4]))).toBe(false);
    // interpolation: 10th percentile of 3..7 is 3.4
    expect(percentileOf([5, 4, 6, 3, 7], 10)).toBeCloseTo(3.4, 12);
    expect(prune(new PercentilePruner(10), running([9, 8, 6, 3.5]))).toBe(true);
    expect(prune(new PercentilePruner(10), running([9, 8, 6, 3.3]))).toBe(false);
    expect(new MedianPruner().name).toBe('median');
    expect(new PercentilePruner(50).name).toBe('percentile');
  });
});

describe('NopPruner', () => {
  it('never prunes', () => {
    expect(new NopPruner().shouldPrune(studyOf([...complete, running([99, 99, 99])]), running([99, 99, 99]))).toBe(false);
  });
});
