import { describe, expect, it } from 'vitest';
import { seededRandom } from '@anneal/data';
import type { FrozenTrial, TrialState } from '../types.js';
import { crc32, HyperbandPruner } from './hyperband-pruner.js';
import { PrunerOptionError } from './pruner-utils.js';
import { simulate, studyOf, trialOf } from './study-fixture.js';
import { SuccessiveHalvingPruner } from './successive-halving-pruner.js';

const flat = (v: number, steps: number) => Array.from({ length: steps }, () => v);
/** Brackets of trials 0..29 of study 'hb' with budgets [9, 5, 3], computed independently with Python's binascii.crc32. */
const hbBrackets = [0, 0, 2, 2, 1, 1, 1, 2, 1, 0, 1, 0, 1, 1, 1, 0, 2, 0, 2, 0, 0, 0, 0, 0, 1, 1, 1, 2, 0, 0];

describe('HyperbandPruner', () => {
  it('crc32 matches the standard check values', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('')).toBe(0);
    expect(crc32('study_0')).toBe(368277276); // reference values from zlib
    expect(crc32('study_1')).toBe(1660176266);
    expect(crc32('é_3')).toBe(300341398); // UTF-8 bytes
  });

  it('lays out floor(log_η(max/min)) + 1 brackets with budgets ceil(B η^s / (s + 1))', () => {
    const layout = (o: ConstructorParameters<typeof HyperbandPruner>[0]) => new HyperbandPruner(o).layout(studyOf([]));
    expect(layout({ minResource: 1, maxResource: 27, reductionFactor: 3 })).toEqual({ brackets: 4, budgets: [27, 12, 6, 4], total: 49 });
    expect(layout({ minResource: 1, maxResource: 81 })).toMatchObject({ brackets: 5, budgets: [81, 34, 15, 8, 5], total: 143 });
    expect(layout({ minResource: 1, maxResource: 100 })).toMatchObject({ brackets: 5 }); // 81 <= 100 < 243
    expect(layout({ minResource: 2, maxResource: 27 })).toMatchObject({ brackets: 3, budgets: [9, 5, 3], total: 17 }); // 27/2 = 13.5
    expect(layout({ minResource: 1, maxResource: 16, reductionFactor: 2 })).toMatchObject({ brackets: 5, budgets: [16, 10, 7, 5, 5], total: 43 });
    expect(layout({ minResource: 4, maxResource: 4 })).toMatchObject({ brackets: 1, budgets: [1], total: 1 });
  });

  it("'auto' max resource: no layout (and no pruning) before a trial completes, then its last step + 1", () => {
    const pruner = new HyperbandPruner({ reductionFactor: 3 });
    const bad = trialOf(1, flat(99, 5), 'running');
    expect(pruner.layout(studyOf([trialOf(0, flat(1, 27), 'running'), bad]))).toBeUndefined();
    expect(pruner.shouldPrune(studyOf([trialOf(0, flat(1, 27), 'running'), bad]), bad)).toBe(false);
    expect(pruner.layout(studyOf([trialOf(0, flat(1, 27)), bad]))).toMatchObject({ brackets: 4, total: 49 });
  });

  it('assigns brackets deterministically from the study name and trial number, in proportion to the budgets', () => {
    const a = new HyperbandPruner({ minResource: 1, maxResource: 9 });
    const b = new HyperbandPruner({ minResource: 1, maxResource: 9 });
    const hb = studyOf([], 'minimize', 'hb');
    expect(hbBrackets.map((_, n) => a.bracketOf(hb, n))).toEqual(hbBrackets);
    expect(hbBrackets.map((_, n) => b.bracketOf(hb, n))).toEqual(hbBrackets);
    const other = hbBrackets.map((_, n) => a.bracketOf(studyOf([], 'minimize', 'other'), n));
    expect(other).not.toEqual(hbBrackets);
    // 4900 trials over budgets [27, 12, 6, 4] / 49: about 2700, 1200, 600, 400
    const toy = new HyperbandPruner({ minResource: 1, maxResource: 27 });
    const counts = [0, 0, 0, 0];
    for (let n = 0; n < 4900; n++) counts[toy.bracketOf(studyOf([], 'minimize', 'toy'), n)!]++;
    expect(counts.reduce((x, y) => x + y, 0)).toBe(4900);
    [2700, 1200, 600, 400].forEach((expected, i) => expect(Math.abs(counts[i]! - expected)).toBeLessThan(0.05 * expected));
  });

  it('each bracket is successive halving with min early-stopping rate = its index, over its own trials only', () => {
    const pruner = new HyperbandPruner({ minResource: 1, maxResource: 9, reductionFactor: 3 }); // brackets 0, 1, 2: first rungs at steps 1, 3, 9
    const decide = (others: FrozenTrial[], trial: FrozenTrial) => pruner.shouldPrune(studyOf([...others, trial], 'minimize', 'hb'), trial);
    const good0 = trialOf(0, flat(1, 9)); // bracket 0
    const good4 = trialOf(4, flat(1, 9)); // bracket 1
    // bracket 0 (trial 1): rung 0 at step 1 holds 1 and its 5: pruned
    expect(decide([good0, good4], trialOf(1, [5, 5], 'running'))).toBe(true);
    // bracket 1 (trial 5): nothing at step 1; at step 3 it meets trial 4 only
    expect(decide([good0, good4], trialOf(5, [5, 5], 'running'))).toBe(false);
    expect(decide([good0, good4], trialOf(5, flat(5, 4), 'running'))).toBe(true);
    // bracket 1 (trial 6) with only a bracket-0 trial around: alone in its bracket, kept (a plain SHA over all trials would prune)
    expect(decide([good0], trialOf(6, flat(5, 4), 'running'))).toBe(false);
    expect(new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 3, minEarlyStoppingRate: 1 }).shouldPrune(studyOf([good0, trialOf(6, flat(5, 4), 'running')]), trialOf(6, flat(5, 4), 'running'))).toBe(true);
    // bracket 2 (trial 2): first rung at step 9, never reached by 9-step trials
    expect(decide([good0, good4], trialOf(2, flat(50, 9), 'running'))).toBe(false);
  });

  it('agrees with per-bracket successive halving on a random study', () => {
    const rand = seededRandom(7);
    const pruner = new HyperbandPruner({ minResource: 1, maxResource: 27, reductionFactor: 3 });
    const states: TrialState[] = ['complete', 'pruned', 'running', 'fail'];
    const trials = Array.from({ length: 120 }, (_, n) => trialOf(n, Array.from({ length: 1 + Math.floor(rand() * 27) }, () => rand()), states[Math.floor(rand() * 4)]));
    const study = studyOf(trials, 'maximize', 'random');
    let pruned = 0;
    for (const trial of trials) {
      const bracket = pruner.bracketOf(study, trial.number)!;
      const sha = new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 3, minEarlyStoppingRate: bracket });
      const own = studyOf(trials.filter((t) => pruner.bracketOf(study, t.number) === bracket), 'maximize', 'random');
      const decision = pruner.shouldPrune(study, trial);
      expect(decision).toBe(sha.shouldPrune(own, trial));
      if (decision) pruned++;
    }
    expect(pruned).toBeGreaterThan(0);
  });

  it('a toy run spends the closed-form budget', () => {
    // 20 sequential trials of 27 steps (0..26) in study 'toy', brackets 0..3 first rungs at 1, 3, 9, (27: never).
    // Values get worse with each trial: the first trial of a bracket runs 27 steps; every later one in
    // brackets 0..2 is the worst at its first rung and stops there after 3^b + 1 steps.
    const brackets = [2, 0, 0, 3, 0, 2, 1, 0, 2, 0, 0, 0, 0, 0, 0, 3, 2, 0, 3, 0]; // reference, Python binascii.crc32
    const pruner = new HyperbandPruner({ minResource: 1, maxResource: 27, reductionFactor: 3 });
    expect(brackets.map((_, n) => pruner.bracketOf(studyOf([], 'minimize', 'toy'), n))).toEqual(brackets);
    const n = [0, 1, 2, 3].map((b) => brackets.filter((x) => x === b).length); // 12, 1, 4, 3
    const closedForm = [0, 1, 2].reduce((sum, b) => sum + (n[b]! ? 27 + (n[b]! - 1) * (3 ** b + 1) : 0), 0) + 27 * n[3]!;
    expect(closedForm).toBe(49 + 27 + 57 + 81);
    const worse = simulate(pruner, brackets.map((_, i) => flat(i, 27)), 'minimize', 'toy');
    expect(worse.totalSteps).toBe(closedForm);
    expect(worse.prunedAt.filter((p) => p !== undefined)).toHaveLength(11 + 0 + 3);
    // values that improve with each trial: nobody is pruned
    expect(simulate(pruner, brackets.map((_, i) => flat(100 - i, 27)), 'minimize', 'toy').totalSteps).toBe(20 * 27);
  });

  it('rejects invalid options', () => {
    expect(() => new HyperbandPruner({ minResource: 10, maxResource: 9 })).toThrow(PrunerOptionError);
    expect(() => new HyperbandPruner({ minResource: 10, maxResource: 9 })).toThrow(/HyperbandPruner\.maxResource: must be 'auto' or an integer >= minResource \(10\), got 9/);
    expect(() => new HyperbandPruner({ reductionFactor: 1 })).toThrow(/reductionFactor/);
    expect(() => new HyperbandPruner({ bootstrapCount: 2 })).toThrow(/needs a numeric maxResource/);
  });
});
