import { describe, expect, it } from 'vitest';
import type { FrozenTrial } from '../types.js';
import { PrunerOptionError } from './pruner-utils.js';
import { simulate, studyOf, trialOf } from './study-fixture.js';
import { SuccessiveHalvingPruner } from './successive-halving-pruner.js';

const flat = (v: number, steps: number) => Array.from({ length: steps }, () => v);
const decide = (pruner: SuccessiveHalvingPruner, others: FrozenTrial[], trial: FrozenTrial, direction: 'minimize' | 'maximize' = 'minimize') =>
  pruner.shouldPrune(studyOf([...others, trial], direction), trial);

describe('SuccessiveHalvingPruner', () => {
  it('places rung k at minResource * η^(s + k)', () => {
    const steps = (o: ConstructorParameters<typeof SuccessiveHalvingPruner>[0], min: number) => [0, 1, 2, 3].map((k) => new SuccessiveHalvingPruner(o).rungStep(k, min));
    expect(steps({ reductionFactor: 2 }, 1)).toEqual([1, 2, 4, 8]);
    expect(steps({ reductionFactor: 3 }, 1)).toEqual([1, 3, 9, 27]);
    expect(steps({ reductionFactor: 4, minEarlyStoppingRate: 1 }, 2)).toEqual([8, 32, 128, 512]);
    expect(steps({ reductionFactor: 3, minEarlyStoppingRate: 2 }, 5)).toEqual([45, 135, 405, 1215]);
  });

  it('η = 2: a sequential run of eight flat curves prunes exactly the hand-computed trials', () => {
    // rungs at steps 1, 2, 4; curves have 8 steps (0..7). Values by trial: 5 3 8 1 6 2 7 4.
    // trial 2 (8): rung 0 holds 5 3 8 -> top max(1, floor(3/2)) = 1 is {3}: pruned at step 1
    // trial 4 (6): rung 0 holds 5 3 8 1 6 -> top 2 {1, 3}: pruned; trial 6 (7): top 3 {1, 2, 3}: pruned
    // trial 7 (4): rung 0 top 4 {1, 2, 3, 4} promotes it; rung 1 holds 5 3 1 2 4 -> top 2 {1, 2}: pruned at step 2
    const sim = simulate(new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 2 }), [5, 3, 8, 1, 6, 2, 7, 4].map((v) => flat(v, 8)));
    expect(sim.prunedAt).toEqual([undefined, undefined, 1, undefined, 1, undefined, 1, 2]);
    expect(sim.totalSteps).toBe(8 + 8 + 2 + 8 + 2 + 8 + 2 + 3);
    expect(sim.trials.map((t) => t.state)).toEqual(['complete', 'complete', 'pruned', 'complete', 'pruned', 'complete', 'pruned', 'pruned']);
  });

  it('η = 3: of n trials at a rung the best max(1, floor(n/3)) continue', () => {
    const pruner = new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 3 });
    const others = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((v, i) => trialOf(i, [20, v], i % 2 ? 'complete' : 'pruned'));
    // 10 values at rung 0 (step 1): the top 3 continue
    expect(decide(pruner, others, trialOf(9, [20, 2.5], 'running'))).toBe(false);
    expect(decide(pruner, others, trialOf(9, [20, 3], 'running'))).toBe(false); // ties with the 3rd best
    expect(decide(pruner, others, trialOf(9, [20, 3.5], 'running'))).toBe(true);
    expect(decide(pruner, others, trialOf(9, [99], 'running'))).toBe(false); // step 0: before the first rung
    // between rungs (step 2) nothing is decided, even for a bad value
    expect(decide(pruner, others, trialOf(9, [20, 1, 99], 'running'))).toBe(false);
    // the first trials: with 1 or 2 values at the rung only the best continues
    expect(decide(pruner, [], trialOf(0, [20, 50], 'running'))).toBe(false);
    expect(decide(pruner, others.slice(0, 1), trialOf(9, [20, 1.5], 'running'))).toBe(true);
    expect(decide(pruner, others.slice(0, 1), trialOf(9, [20, 0.5], 'running'))).toBe(false);
  });

  it('η = 3, rung 1 (step 3): only trials that reached step 3 compete, with their value at their first step >= 3', () => {
    const pruner = new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 3 });
    const reached = [1, 2, 3, 4, 5].map((v, i) => trialOf(i, [20, 10, 10, v]));
    const stoppedEarly = [trialOf(5, [0.1, 0.1], 'pruned'), trialOf(6, [0.1, 0.1, 0.1], 'running')];
    const jumped = trialOf(7, { 0: 30, 6: 1.8 }, 'running'); // reported steps 0 and 6: its rung-1 value is 1.8
    const others = [...reached, ...stoppedEarly];
    // 6 values (1..5 and its own): the top 2 {1, 2} continue
    expect(decide(pruner, others, trialOf(8, [20, 10, 10, 2.5], 'running'))).toBe(true);
    expect(decide(pruner, others, trialOf(8, [20, 10, 10, 1.5], 'running'))).toBe(false);
    // with the jumped trial: 7 values, top 2 {1, 1.8}
    expect(decide(pruner, [...others, jumped], trialOf(8, [20, 10, 10, 1.9], 'running'))).toBe(true);
    expect(decide(pruner, [...others, jumped], trialOf(8, [20, 10, 10, 1.7], 'running'))).toBe(false);
  });

  it('η = 4: of 12 trials at a rung the best 3 continue; of 7, the best 1', () => {
    const pruner = new SuccessiveHalvingPruner({ minResource: 2, reductionFactor: 4 }); // rungs at 2, 8, 32
    const others = Array.from({ length: 11 }, (_, i) => trialOf(i, [50, 50, i + 1]));
    expect(decide(pruner, others, trialOf(11, [50, 50, 3], 'running'))).toBe(false);
    expect(decide(pruner, others, trialOf(11, [50, 50, 3.01], 'running'))).toBe(true);
    expect(decide(pruner, others.slice(0, 6), trialOf(11, [50, 50, 1.5], 'running'))).toBe(true);
    expect(decide(pruner, others.slice(0, 6), trialOf(11, [50, 50, 0.5], 'running'))).toBe(false);
    expect(decide(pruner, others, trialOf(11, [50, 99], 'running'))).toBe(false); // step 1 < rung 0
  });

  it('a report that jumps over several rungs is checked at each of them', () => {
    const pruner = new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 3 }); // rungs 1, 3, 9
    // at rung 0 (step 1) values 1..3; at rung 2 (step 9) only 0.5 and 0.7
    const others = [trialOf(0, [9, 1]), trialOf(1, [9, 2]), trialOf(2, [9, 3]), trialOf(3, { 0: 9, 9: 0.5 }), trialOf(4, { 0: 9, 9: 0.7 })];
    // 0.6 at step 9: rung 0 (values 1 2 3 9... its own 0.6) passes, rung 1 (0.5 0.7 0.6: top 1 = 0.5) fails
    expect(decide(pruner, others, trialOf(5, { 0: 9, 9: 0.6 }, 'running'))).toBe(true);
    expect(decide(pruner, others, trialOf(5, { 0: 9, 9: 0.4 }, 'running'))).toBe(false);
  });

  it('maximizing flips the comparisons', () => {
    const pruner = new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 3 });
    const others = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((v, i) => trialOf(i, [0, v]));
    // top 3 of 10 when maximizing: 9, 8 and the 3rd best
    expect(decide(pruner, others, trialOf(9, [0, 7.5], 'running'), 'maximize')).toBe(false);
    expect(decide(pruner, others, trialOf(9, [0, 7], 'running'), 'maximize')).toBe(false);
    expect(decide(pruner, others, trialOf(9, [0, 6.5], 'running'), 'maximize')).toBe(true);
    const sim = simulate(new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 2 }), [5, 3, 8, 1, 6, 2, 7, 4].map((v) => flat(-v, 8)), 'maximize');
    expect(sim.prunedAt).toEqual([undefined, undefined, 1, undefined, 1, undefined, 1, 2]);
  });

  it('the min early-stopping rate delays the first rung', () => {
    const pruner = new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 2, minEarlyStoppingRate: 1 }); // rungs 2, 4, 8
    const others = [trialOf(0, [1, 1, 1, 1, 1])];
    expect(decide(pruner, others, trialOf(1, [9, 9], 'running'))).toBe(false);
    expect(decide(pruner, others, trialOf(1, [9, 9, 9], 'running'))).toBe(true);
  });

  it("'auto' min resource: none before a trial completes, then the first complete trial's last step / 100", () => {
    const pruner = new SuccessiveHalvingPruner({ reductionFactor: 4 });
    const long = trialOf(0, flat(1, 400)); // last step 399: minResource 3, rungs 3, 12, 48
    expect(pruner.resolveMinResource(studyOf([trialOf(0, flat(1, 400), 'running')]))).toBeUndefined();
    expect(decide(pruner, [trialOf(0, flat(1, 400), 'running')], trialOf(1, flat(9, 4), 'running'))).toBe(false);
    expect(pruner.resolveMinResource(studyOf([long]))).toBe(3);
    expect(decide(pruner, [long], trialOf(1, flat(9, 3), 'running'))).toBe(false); // step 2
    expect(decide(pruner, [long], trialOf(1, flat(9, 4), 'running'))).toBe(true); // step 3: rung 0
    // a later, longer trial does not move the estimate; short runs give 1
    expect(pruner.resolveMinResource(studyOf([long, { ...trialOf(1, flat(1, 900)), completedAt: 5000 }]))).toBe(3);
    expect(pruner.resolveMinResource(studyOf([trialOf(0, flat(1, 10))]))).toBe(1);
  });

  it('a NaN at a rung prunes; NaN values of others do not compete', () => {
    const pruner = new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 2 });
    expect(decide(pruner, [], trialOf(0, [1, NaN], 'running'))).toBe(true);
    expect(decide(pruner, [], trialOf(0, [1, 1, NaN], 'running'))).toBe(true); // step 2 = rung 1
    expect(decide(pruner, [], trialOf(0, [1, 1, 1, NaN], 'running'))).toBe(false); // step 3: between rungs 2 and 4
    expect(decide(pruner, [trialOf(1, [1, NaN], 'pruned')], trialOf(2, [1, 5], 'running'))).toBe(false); // alone at the rung
  });

  it('bootstrapCount prunes until more than that many trials reached the rung', () => {
    const pruner = new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 2, bootstrapCount: 2 });
    expect(decide(pruner, [trialOf(0, [1, 3])], trialOf(1, [1, 1], 'running'))).toBe(true); // 2 values <= 2
    expect(decide(pruner, [trialOf(0, [1, 3]), trialOf(2, [1, 4])], trialOf(1, [1, 1], 'running'))).toBe(false);
  });

  it('keeps no state: decisions depend on the view only and never write to it', () => {
    const others = [5, 3, 8, 1].map((v, i) => Object.freeze(trialOf(i, flat(v, 3))));
    const trial = Object.freeze(trialOf(4, [2, 2], 'running'));
    const view = Object.freeze(studyOf(Object.freeze([...others, trial])));
    const a = new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 2 });
    const b = new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: 2 });
    expect(a.shouldPrune(view, trial)).toBe(false); // 5 values at rung 0, top 2 {1, 2}
    expect(b.shouldPrune(view, trial)).toBe(a.shouldPrune(view, trial));
  });

  it('rejects invalid options', () => {
    expect(() => new SuccessiveHalvingPruner({ reductionFactor: 1 })).toThrow(PrunerOptionError);
    expect(() => new SuccessiveHalvingPruner({ minResource: 0 })).toThrow(/minResource: must be 'auto' or an integer >= 1, got 0/);
    expect(() => new SuccessiveHalvingPruner({ bootstrapCount: 1 })).toThrow(/bootstrapCount: needs a numeric minResource/);
    expect(() => new SuccessiveHalvingPruner({ minEarlyStoppingRate: 0.5 })).toThrow(/minEarlyStoppingRate/);
  });
});
