import { describe, expect, it } from 'vitest';
import type { EventOf, TrainerControl } from '@anneal/core';
import { applyFindings } from './apply-findings.js';
import { coarseGrid, gridLearningRates } from './coarse-grid.js';
import type { EpochPoint } from './curves.js';
import type { Finding } from './findings.js';
import type { LrProbeResult } from './lr-probe.js';
import { mnistSetup } from './mnist-fixture.js';
import { bestRun, Recipe, type RecipeEvent, type RecipeState } from './recipe.js';
import { recipeReport } from './recipe-report.js';
import type { FitRunner } from './target.js';

const setup = mnistSetup({ perDigit: 60 });

describe('gridLearningRates', () => {
  it('takes x1/3, x1, x3 around the two best kept rates plus the range-test suggestion, sorted and deduplicated', () => {
    const run = (lr: number, final: number, kept: boolean) => ({ lr, losses: [], initial: 2.3, final, drop: 1 - final / 2.3, diverged: false, kept });
    const probe: LrProbeResult = { runs: [run(1e-1, 0.9, true), run(1e-2, 0.1, true), run(1e-3, 0.5, true), run(1e-4, 2.2, false)], kept: [1e-1, 1e-2, 1e-3], best: 1e-2, iterations: 100, weightDecay: 1e-4 };
    expect(gridLearningRates(probe, { lrs: [], losses: [], smoothed: [], suggested: 0.0042, stoppedEarly: true })).toEqual([0.00033, 0.001, 0.0033, 0.0042, 0.003, 0.01, 0.03].sort((a, b) => a - b));
  });
});

/**
 * A runner that plays only the epoch ends of a run (epochs numbered from 1, as the Trainer emits
 * them) through the request's callbacks, with validation accuracy `accuracy(lr, epoch)`; it stops
 * when a callback asks. `stoppedAt` collects the epoch each stopped run stopped at.
 */
function epochEndRunner(accuracy: (lr: number, epoch: number) => number, stoppedAt: number[]): FitRunner {
  return async (request) => {
    let stopped = false;
    const control = { stop: () => void (stopped = true) } as unknown as TrainerControl;
    const epochs: EpochPoint[] = [];
    for (let epoch = 1; epoch <= request.epochs && !stopped; epoch++) {
      const acc = accuracy(request.lr, epoch);
      const loss = { mean: 1 - acc, variance: 0, std: 0, min: 1 - acc, max: 1 - acc, count: 1 };
      const e = { epoch, step: 10 * epoch, train: { loss, metrics: { accuracy: acc } }, val: { loss, metrics: { accuracy: acc } }, hyperparameters: {}, durationMs: 1 } as unknown as EventOf<'epoch:end'>;
      for (const callback of request.callbacks ?? []) await callback.onEpochEnd?.(e, control);
      epochs.push({ epoch, step: 10 * epoch, trainLoss: 1 - acc, trainLossStd: 0, valAccuracy: acc });
      if (stopped) stoppedAt.push(epoch);
    }
    return { curves: { epochs, batches: [], ratios: [], finished: true }, value: epochs.at(-1)!.valAccuracy!, stopped, seconds: 0 };
  };
}

describe('coarseGrid pruning (epochs numbered from 1)', () => {
  const lrs = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2];
  const rank = (lr: number) => lrs.indexOf(lr) / 10;

  it('labels a cell stopped before its last epoch pruned, with the epochs it ran', async () => {
    const stoppedAt: number[] = [];
    const grid = await coarseGrid(epochEndRunner((lr, epoch) => 0.3 + rank(lr) + 0.01 * epoch, stoppedAt), { lrs, weightDecays: [0], epochs: 2, seed: 0 });
    // the pruner judges from epoch 1 on: a cell it stops there ran 1 of its 2 epochs
    expect(stoppedAt.length).toBeGreaterThan(0);
    expect(new Set(stoppedAt)).toEqual(new Set([1]));
    expect(grid.cells.filter((c) => c.state === 'pruned')).toHaveLength(stoppedAt.length);
    for (const c of grid.cells) expect(c.epochs).toBe(c.state === 'pruned' ? 1 : 2);
  });

  it('counts a cell stopped at its last epoch as complete: stopping there saved nothing', async () => {
    const stoppedAt: number[] = [];
    // equal at epoch 1 (nothing to prune), apart only at epoch 2, the last
    const grid = await coarseGrid(epochEndRunner((lr, epoch) => (epoch === 1 ? 0.3 : 0.3 + rank(lr)), stoppedAt), { lrs, weightDecays: [0], epochs: 2, seed: 0 });
    expect(stoppedAt.length).toBeGreaterThan(0);
    expect(new Set(stoppedAt)).toEqual(new Set([2]));
    expect(grid.cells.map((c) => c.state)).toEqual(lrs.map(() => 'complete'));
    expect(grid.ranking).toHaveLength(lrs.length);
  });
});

describe('coarseGrid on real MNIST runs', () => {
  it('trains every lr x weight-decay cell through a study, prunes the worst after a warm start and ranks the rest', async () => {
    const done: number[] = [];
    const grid = await coarseGrid(setup.runner(), { lrs: [1e-4, 3e-3, 1e-2], weightDecays: [1e-4, 0], epochs: 2, seed: 0, onCell: (_, n) => done.push(n) });
    expect(grid.cells).toHaveLength(6);
    expect(done).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(grid.cells.map((c) => `${c.lr}/${c.weightDecay}`)).size).toBe(6);
    for (let i = 1; i < grid.ranking.length; i++) expect(grid.ranking[i - 1]!.value!).toBeGreaterThanOrEqual(grid.ranking[i]!.value!);
    expect(grid.ranking[0]!.lr).not.toBe(1e-4);
    const slow = grid.cells.filter((c) => c.lr === 1e-4);
    expect(slow.some((c) => c.state === 'pruned') || slow.every((c) => c.value! < grid.ranking[0]!.value!)).toBe(true);
    for (const c of grid.cells) expect(c.state === 'pruned' ? c.epochs : 2).toBeLessThanOrEqual(2);
  }, 60_000);

  it('never labels a cell pruned when pruning would save nothing (1-epoch cells, or a stop at the last epoch)', async () => {
    const grid = await coarseGrid(setup.runner(), { lrs: [1e-5, 1e-4, 3e-3, 1e-2], weightDecays: [0], epochs: 1 });
    expect(grid.cells.map((c) => c.state)).toEqual(['complete', 'complete', 'complete', 'complete']);
    expect(grid.ranking).toHaveLength(4);
  }, 60_000);
});

describe('applyFindings', () => {
  const base = { lr: 1e-2, weightDecay: 0, epochs: 10, lrSchedule: 'constant' as const, capacity: 1 };
  const f = (id: string, action: Finding['action'], severity: Finding['severity'] = 'warning'): Finding => ({ id, severity, title: id, evidence: [], suggestion: '', action });
  it('maps each action onto the settings and says what it changed', () => {
    const r = applyFindings(base, [f('lr-too-high', { addDecay: true, lrFactor: 1 / 3 }), f('overfitting', { weightDecay: 'increase' }), f('train-longer', { epochsFactor: 1.6 }, 'info'), f('underfitting', { biggerModel: true })])!;
    expect(r.settings).toEqual({ lr: 0.00333, weightDecay: 1e-4, epochs: 16, lrSchedule: 'cosine', capacity: 2 });
    expect(r.changes).toHaveLength(5);
  });
  it('returns undefined when no finding asks for a change, and respects the limits', () => {
    expect(applyFindings(base, [f('update-ratio', undefined)])).toBeUndefined();
    expect(applyFindings({ ...base, epochs: 40 }, [f('train-longer', { epochsFactor: 2 })], { maxEpochs: 40 })).toBeUndefined();
  });
});

describe('Recipe on a real MNIST MLP', () => {
  const options = {
    lr: 3e-3,
    lrProbe: { iterations: 40 },
    rangeTest: { steps: 60 },
    grid: { lrs: [1e-3, 1e-2], weightDecays: [1e-4, 0], epochs: 1, prune: false },
    refine: { top: 1, epochs: 4, normsEvery: 5 },
    repeat: { rounds: 1 },
  };

  it('runs every step in order with events, stops after --until and resumes from the saved state', async () => {
    const events: RecipeEvent[] = [];
    const saved: string[] = [];
    const first = new Recipe(setup.target(), setup.runner(), { ...options, until: 'lr-probe' });
    first.events$.subscribe((e) => events.push(e));
    const partial = await first.run(undefined, (s) => void saved.push(JSON.stringify(s)));
    expect(partial.done).toEqual(['initial-loss', 'overfit', 'lr-probe']);
    expect(saved).toHaveLength(3);
    expect(events.filter((e) => e.type === 'step:end').map((e) => (e as { step: string }).step)).toEqual(['initial-loss', 'overfit', 'lr-probe']);
    expect(partial.initialLoss!.ok).toBe(true);
    expect(partial.overfit!.reached).toBe(true);

    const restored = JSON.parse(saved.at(-1)!) as RecipeState;
    const second = new Recipe(setup.target(), setup.runner(), options);
    const later: RecipeEvent[] = [];
    second.events$.subscribe((e) => later.push(e));
    const state = await second.run(restored, () => undefined);
    expect(later.filter((e) => e.type === 'step:skip').map((e) => (e as { step: string }).step)).toEqual(['initial-loss', 'overfit', 'lr-probe']);
    expect(state.done).toEqual(['initial-loss', 'overfit', 'lr-probe', 'range-test', 'grid', 'refine', 'repeat']);
    expect(state.grid!.cells).toHaveLength(4);
    expect(state.refine).toHaveLength(1);
    const refined = state.refine![0]!;
    expect(refined.lr).toBe(state.grid!.ranking[0]!.lr);
    expect(refined.curves.epochs).toHaveLength(4);
    expect(refined.curves.ratios.length).toBeGreaterThan(5);
    expect(refined.test!.accuracy).toBeGreaterThan(0.7);
    const best = bestRun(state)!;
    expect(best.value).toBe(Math.max(...[...state.refine!, ...state.repeat!.map((r) => r.run)].map((r) => r.value)));
    const end = later.at(-1)!;
    expect(end.type).toBe('recipe:end');

    const doc = recipeReport(state, { title: 'Recipe', monitor: 'val.accuracy', direction: 'maximize' });
    expect(doc.sections.map((s) => s.id).slice(0, 8)).toEqual(['summary', 'initial-loss', 'overfit', 'lr-probe', 'range-test', 'grid', 'refine', 'refine-1']);
    const charts = doc.sections.flatMap((s) => s.charts ?? []).map((c) => c.name);
    expect(charts).toEqual(expect.arrayContaining(['overfit', 'lr-probe', 'range-test', 'grid', 'refine-1-loss', 'refine-1-batch-loss', 'refine-1-accuracy', 'refine-1-lr', 'refine-1-ratios']));
  }, 90_000);

  it('halts after a failed overfit and says so in the report', async () => {
    const state = await new Recipe(setup.target(), setup.runner(), { ...options, lr: 1e-7, overfit: { maxSteps: 30 } }).run();
    expect(state.done).toEqual(['initial-loss', 'overfit']);
    expect(state.halted).toEqual({ step: 'overfit', reason: expect.stringMatching(/could not fit/) });
    const doc = recipeReport(state, { title: 'Recipe', monitor: 'val.accuracy', direction: 'maximize' });
    expect(doc.sections.find((s) => s.id === 'grid')!.status).toBe('skipped');
    expect(doc.sections[0]!.status).toBe('error');
  }, 30_000);
});
