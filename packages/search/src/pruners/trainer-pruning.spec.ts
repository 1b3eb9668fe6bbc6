import { describe, expect, it } from 'vitest';
import { Trainer, type AnnealEvent, type Callback, type EventOf, type TrainerControl } from '@anneal/core';
import { DataLoader, loadMnist, splitDataset } from '@anneal/data';
import { buildMlp, engineBackend, TrainSession } from '@anneal/engine';
import { adam } from '@anneal/optim';
import type { FrozenTrial, Pruner, StudyView } from '../types.js';
import { MedianPruner } from './median-pruner.js';
import { PrunerOptionError } from './pruner-utils.js';
import { trialOf } from './study-fixture.js';
import { pruningCallback, PRUNED_REASON, type PrunableTrial } from './trainer-pruning.js';

/** A trial as small as the hook needs: keeps its reports and asks a pruner over a fixed set of earlier trials. */
class InSpecTrial implements PrunableTrial {
  readonly intermediate: Record<number, number> = {};
  readonly asked: number[] = [];
  constructor(
    private readonly earlier: readonly FrozenTrial[],
    private readonly pruner: Pruner,
  ) {}
  async report(value: number, step: number): Promise<void> {
    this.intermediate[step] = value;
  }
  async shouldPrune(): Promise<boolean> {
    const self = trialOf(this.earlier.length, this.intermediate, 'running');
    this.asked.push(Math.max(...Object.keys(this.intermediate).map(Number)));
    const view: StudyView = { name: 'iris', direction: 'minimize', trials: [...this.earlier, self] };
    return this.pruner.shouldPrune(view, self);
  }
}

const { train, val } = splitDataset(loadMnist({ perDigit: 30 }), 0.25, 1); // 225 train, 75 val
const trainLoader = new DataLoader(train, { batchSize: 25, shuffle: true, seed: 3 }); // 9 batches per epoch
const valLoader = new DataLoader(val, { batchSize: 75 });
const model = buildMlp({ sizes: [784, 32, 10], seed: 1 });
const sample = trainLoader.epochBatches(0).next().value!;
const EPOCHS = 8;

async function fit(lr: number, callbacks: Callback[] = []) {
  const session = await TrainSession.create({ model, loss: { kind: 'cross-entropy' }, optimizer: { optimizer: adam(), lr }, sample, intraOpThreads: 1 });
  const trainer = new Trainer({ backend: engineBackend(session), train: trainLoader, val: valLoader, epochs: EPOCHS, callbacks });
  const events: AnnealEvent[] = [];
  trainer.events$.subscribe((e) => events.push(e));
  try {
    const result = await trainer.fit();
    return { result, events, valLoss: result.history.map((h) => h.val!.loss.mean) };
  } finally {
    await session.release();
  }
}

describe('pruningCallback', () => {
  it('stops a run with a bad learning rate early and lets a good one finish, judged by a median pruner over earlier runs', async () => {
    // earlier trials: three complete runs with sensible learning rates
    const earlier: FrozenTrial[] = [];
    // (steps are epochs trained, 1-based, as pruningCallback reports them)
    for (const lr of [3e-3, 1e-3, 5e-4]) earlier.push(trialOf(earlier.length, Object.fromEntries((await fit(lr)).valLoss.map((v, i) => [i + 1, v]))));
    for (const t of earlier) expect(t.intermediate[EPOCHS]).toBeLessThan(t.intermediate[1]!); // they learn
    const pruner = new MedianPruner({ nStartupTrials: 3, nWarmupSteps: 2 });

    // lr 1e-5 barely moves: its validation loss stays above the median from the first checked epoch on
    const slow = new InSpecTrial(earlier, pruner);
    const slowHook = pruningCallback(slow, { monitor: 'val.loss' });
    const bad = await fit(1e-5, [slowHook]);
    expect(slowHook.pruned).toBe(true);
    expect(slowHook.prunedAt).toBe(2); // epoch 1 is warmup
    expect(bad.result).toMatchObject({ epochs: 2, stopped: true, reason: PRUNED_REASON });
    expect(bad.result.epochs).toBeLessThan(EPOCHS);
    expect(bad.events.filter((e) => e.type === 'early-stop')).toEqual([expect.objectContaining({ by: 'pruning', reason: 'pruned', epoch: 2 })]);
    expect(Object.values(slow.intermediate)).toEqual(bad.valLoss); // reported = the epochs' val.loss, step = epoch
    expect(slow.asked).toEqual([1, 2]);

    // lr 2e-3 learns faster than the median earlier run (1e-3): never pruned, runs every epoch
    const fast = new InSpecTrial(earlier, pruner);
    const fastHook = pruningCallback(fast, { monitor: 'val.loss' });
    const good = await fit(2e-3, [fastHook]);
    expect(fastHook.pruned).toBe(false);
    expect(fastHook.prunedAt).toBeUndefined();
    expect(good.result).toMatchObject({ epochs: EPOCHS, stopped: false });
    expect(good.events.some((e) => e.type === 'early-stop')).toBe(false);
    expect(fast.asked).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('names a monitor the epoch does not produce; saves and restores its state', async () => {
    const trial: PrunableTrial = { report: async () => {}, shouldPrune: async () => true };
    const hook = pruningCallback(trial, { monitor: 'val.loss', key: 'prune-me' });
    const epoch = { type: 'epoch:end', epoch: 3, step: 30, train: { loss: { mean: 1, variance: 0, std: 0, count: 1 }, metrics: {} }, durationMs: 1 } as unknown as EventOf<'epoch:end'>;
    const stops: string[] = [];
    const control = { stop: (reason: string) => stops.push(reason) } as unknown as TrainerControl;
    await expect(hook.onEpochEnd!(epoch, control)).rejects.toThrow(PrunerOptionError);
    await expect(hook.onEpochEnd!(epoch, control)).rejects.toThrow(/pruningCallback\.monitor: 'val\.loss' is not produced at epoch 3/);
    const onTrain = pruningCallback(trial, { monitor: 'train.loss' });
    await onTrain.onEpochEnd!(epoch, control);
    expect(stops).toEqual(['pruned']);
    expect(onTrain.state!()).toEqual({ prunedAt: 3 });
    const resumed = pruningCallback(trial, { monitor: 'train.loss' });
    resumed.restore!({ prunedAt: 3 }, {});
    expect([resumed.pruned, resumed.prunedAt]).toEqual([true, 3]);
    expect(hook.key).toBe('prune-me');
  });
});
