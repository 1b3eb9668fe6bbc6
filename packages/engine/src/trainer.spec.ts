import { mkdtempSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { loadCheckpoint } from '@anneal/runtime';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lastValueFrom, toArray } from 'rxjs';
import { DivergedError, Trainer, accuracy, earlyStopping, hyperparameterMonitor, modelCheckpoint, ofType, topK, updateRatioMonitor, type AnnealEvent, type Callback, type ScheduleLike, type TrainerOptions } from '@anneal/core';
import { DataLoader, loadMnist, splitDataset } from '@anneal/data';
import { adam, sgd } from '@anneal/optim';
import { buildMlp } from './mlp.js';
import { TrainSession } from './train-session.js';
import { engineBackend, safetensorsCheckpoints } from './engine-backend.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'anneal-trainer-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const { train, val } = splitDataset(loadMnist({ perDigit: 60 }), 0.25, 1); // 450 train, 150 val
const trainLoader = new DataLoader(train, { batchSize: 32, shuffle: true, seed: 5 }); // 15 batches (last one 2)
const valLoader = new DataLoader(val, { batchSize: 64 });
const model = buildMlp({ sizes: [784, 32, 10], seed: 2 });
const sample = trainLoader.epochBatches(0).next().value!;
const session = (optimizer = adam()) => TrainSession.create({ model, loss: { kind: 'cross-entropy' }, optimizer: { optimizer, lr: 1e-3 }, sample, intraOpThreads: 1 });
/** A closed-form schedule: linear decay of the base lr over 45 steps. */
const linear = (base: number, steps: number): ScheduleLike => ({ valueAt: (t) => base * Math.max(0, 1 - t / steps) + 1e-5 });

async function run(options: Partial<TrainerOptions> & { epochs: number }, resume?: string) {
  const s = await session();
  const trainer = new Trainer({ backend: engineBackend(s), train: trainLoader, val: valLoader, groupSize: 4, metrics: () => [accuracy(), topK(3)], ...options });
  const events = lastValueFrom(trainer.events$.pipe(toArray()));
  const result = await trainer.fit({ resume }).finally(() => (trainer as unknown as { subject: { complete(): void } }).subject.complete());
  return { result, events: await events, params: await s.parameters(), session: s };
}

describe('Trainer over the engine', () => {
  it('fits, emits the typed event stream, and reports per-epoch loss mean/variance/std, accuracy and top-k', async () => {
    const { result, events, session: s } = await run({ epochs: 3, schedules: [{ target: 'lr', schedule: linear(3e-3, 45) }] });
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('run:start');
    expect(types.at(-1)).toBe('run:end');
    const batchEnds = events.filter((e): e is Extract<AnnealEvent, { type: 'batch:end' }> => e.type === 'batch:end');
    expect(batchEnds).toHaveLength(45);
    batchEnds.forEach((e, i) => {
      expect(e.step).toBe(i);
      expect(e.lr).toBeCloseTo(3e-3 * (1 - i / 45) + 1e-5, 12); // the schedule drives every step, inside Loop groups too
    });
    const ends = events.filter((e): e is Extract<AnnealEvent, { type: 'epoch:end' }> => e.type === 'epoch:end');
    expect(ends).toHaveLength(3);
    for (const e of ends) {
      const losses = batchEnds.filter((b) => b.epoch === e.epoch).map((b) => b.loss);
      const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
      const variance = losses.reduce((a, b) => a + (b - mean) ** 2, 0) / losses.length;
      expect(e.train.loss.mean).toBeCloseTo(mean, 10);
      expect(e.train.loss.variance).toBeCloseTo(variance, 10);
      expect(e.train.loss.std).toBeCloseTo(Math.sqrt(variance), 10);
      expect(e.train.metrics.top3).toBeGreaterThanOrEqual(e.train.metrics.accuracy!);
      expect(Object.isFrozen(e.train.loss)).toBe(true);
    }
    expect(ends[2]!.train.loss.mean).toBeLessThan(ends[0]!.train.loss.mean);
    // validation metrics equal a direct evaluation with the final weights
    const direct = await s.evaluate(valLoader.epochBatches(0));
    expect(ends[2]!.val!.metrics.accuracy).toBeCloseTo(direct.accuracy!, 12);
    expect(ends[2]!.val!.loss.mean).toBeCloseTo(direct.loss, 5);
    expect(direct.accuracy).toBeGreaterThan(0.6); // from ~10% at init, 45 steps on 450 digits
    expect(result).toMatchObject({ epochs: 3, steps: 45, stopped: false });
    await s.release();
  });

  it('trainMetrics: false leaves train.metrics empty (no NaN placeholders) and still validates with every metric', async () => {
    const { result } = await run({ epochs: 1, trainMetrics: false });
    expect(result.history[0]!.train.metrics).toEqual({});
    expect(Object.keys(result.history[0]!.val!.metrics).sort()).toEqual(['accuracy', 'top3']);
    expect(Number.isFinite(result.history[0]!.train.loss.mean)).toBe(true);
  });

  it('ofType narrows the stream', async () => {
    const s = await session();
    const trainer = new Trainer({ backend: engineBackend(s), train: trainLoader, epochs: 1, groupSize: 8 });
    const seen: number[] = [];
    trainer.events$.pipe(ofType('epoch:end')).subscribe((e) => seen.push(e.train.loss.count));
    await trainer.fit();
    expect(seen).toEqual([15]);
    await s.release();
  });

  it('resumes a run interrupted mid-epoch from its last checkpoint to bit-identical weights and history', async () => {
    const schedules = () => [{ target: 'lr', schedule: linear(3e-3, 60) }];
    const callbacks = (): Callback[] => [earlyStopping({ monitor: 'val.accuracy', patience: 10 }), hyperparameterMonitor({ every: 5 })];
    const full = await run({ epochs: 3, schedules: schedules(), callbacks: callbacks() });
    const dir = tempDir();
    const checkpoint = { dir, io: safetensorsCheckpoints, everySteps: 8 };
    // the "kill": a callback throws at step 28 (epoch 1, batch 13); the last checkpoint was written after the group that passed step 24 (groups of 4: at step 27)
    const killer: Callback = { key: 'killer', onBatchEnd: (e) => { if (e.step === 28) throw new Error('killed'); } };
    await expect(run({ epochs: 3, schedules: schedules(), callbacks: [...callbacks(), killer], checkpoint })).rejects.toThrow('killed');
    const resumed = await run({ epochs: 3, schedules: schedules(), callbacks: callbacks(), checkpoint }, join(dir, 'last.safetensors'));
    for (const [name, w] of Object.entries(full.params)) expect(Array.from(resumed.params[name]!.data as Float32Array)).toEqual(Array.from(w.data as Float32Array));
    expect(resumed.result.history.map((h) => h.train.loss)).toEqual(full.result.history.map((h) => h.train.loss));
    expect(resumed.result.history.map((h) => h.val!.metrics)).toEqual(full.result.history.map((h) => h.val!.metrics));
    const start = resumed.events.find((e) => e.type === 'run:start');
    expect(start).toMatchObject({ resumed: true, startEpoch: 2, startBatch: 12, step: 27 });
  });

  it('pauses after some epochs with a resumable checkpoint; resumed interval by interval it ends as one uninterrupted fit', async () => {
    const schedules = () => [{ target: 'lr', schedule: linear(3e-3, 45) }];
    const full = await run({ epochs: 3, schedules: schedules() });
    const dir = tempDir();
    const checkpoint = { dir, io: safetensorsCheckpoints, everyEpochs: 5 }; // the pause writes its checkpoint anyway
    const intervals: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await session();
      const trainer = new Trainer({ backend: engineBackend(s), train: trainLoader, val: valLoader, groupSize: 4, metrics: () => [accuracy(), topK(3)], epochs: 3, schedules: schedules(), checkpoint });
      const r = await trainer.fit({ resume: i ? join(dir, 'last.safetensors') : undefined, pauseAfterEpochs: 1 });
      intervals.push(r.epochs);
      if (i === 2) for (const [name, w] of Object.entries(full.params)) expect(Array.from(((await s.parameters())[name]!.data as Float32Array))).toEqual(Array.from(w.data as Float32Array));
      await s.release();
    }
    expect(intervals).toEqual([1, 2, 3]);
    const state = JSON.parse(loadCheckpoint(join(dir, 'last.safetensors')).metadata['anneal.trainer']!) as { epoch: number; finished: boolean };
    expect(state).toMatchObject({ epoch: 3, finished: true });
  });

  it('stops on a NaN loss without touching the last good checkpoint, or skips the batch when configured', async () => {
    const dir = tempDir();
    const checkpoint = { dir, io: safetensorsCheckpoints };
    const poisoned = { batchesPerEpoch: trainLoader.batchesPerEpoch, epoch: async function* (epoch: number, o: { from?: number } = {}) {
      for await (const b of trainLoader.epoch(epoch, o)) {
        if (epoch === 1 && (b.x!.data as Float32Array)[0] !== undefined && poisonedBatch(b)) yield { ...b, x: { ...b.x!, data: (b.x!.data as Float32Array).map((v, i) => (i === 3 ? NaN : v)) } };
        else yield b;
      }
    } };
    let count = 0;
    const poisonedBatch = (_: unknown) => ++count === 6; // the 6th batch of epoch 1
    const stopped = run({ epochs: 3, train: poisoned, checkpoint });
    const err = await stopped.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DivergedError);
    expect((err as DivergedError).tensor).toBe('x');
    expect((err as DivergedError).message).toMatch(/step 20 \(epoch 2\)/);
    // the epoch-0 checkpoint is intact and still resumable
    const saved = loadCheckpoint(join(dir, 'last.safetensors'));
    const state = JSON.parse(saved.metadata['anneal.trainer']!) as { epoch: number; batch: number; step: number };
    expect(state).toMatchObject({ epoch: 1, batch: 0, step: 15 }); // written at the end of epoch 1 (one epoch completed), never after the NaN
    expect(Object.values(saved.tensors).every((t) => !(t.data instanceof Float32Array) || t.data.every(Number.isFinite))).toBe(true);
    count = 0;
    const skipped = await run({ epochs: 2, train: poisoned, nonFinite: 'skip' });
    const skips = skipped.events.filter((e) => e.type === 'batch:end' && e.skipped);
    expect(skips).toHaveLength(1);
    expect(skipped.events.some((e) => e.type === 'warning' && e.code === 'NONFINITE_LOSS_SKIPPED')).toBe(true);
    expect(skipped.result.steps).toBe(30);
    expect(skipped.session.steps).toBe(29); // 29 updates applied, the poisoned batch skipped
    expect(Object.values(skipped.params).every((p) => (p.data as Float32Array).every(Number.isFinite))).toBe(true);
  });

  it('early stopping restores the best weights; model checkpoint keeps the best k; ratios are monitored', async () => {
    const dir = tempDir();
    const stopper = earlyStopping({ monitor: 'val.loss', patience: 1, restoreBest: true });
    const best = modelCheckpoint({ monitor: 'val.accuracy', saveTopK: 2 });
    const ratios = updateRatioMonitor();
    // an lr far too high: validation loss gets worse after the first epochs
    const { result, events, session: s } = await run({ epochs: 8, schedules: [{ target: 'lr', schedule: { valueAt: (t) => (t < 15 ? 1e-3 : 0.3) } }], callbacks: [stopper, best, ratios], checkpoint: { dir, io: safetensorsCheckpoints }, normsEvery: 5 });
    expect(result.stopped).toBe(true);
    expect(events.some((e) => e.type === 'early-stop' && e.by === 'early-stopping')).toBe(true);
    const restored = await s.evaluate(valLoader.epochBatches(0));
    expect(restored.loss).toBeCloseTo(stopper.best!, 5);
    const files = readdirSync(dir).filter((f) => f.startsWith('best-'));
    expect(files).toHaveLength(2);
    expect(files.sort()).toEqual(best.best.map((b) => b.path.split('/').at(-1)!).sort());
    expect(existsSync(join(dir, 'last.safetensors'))).toBe(true);
    expect(ratios.history.length).toBeGreaterThan(0);
    expect(Object.keys(ratios.history[0]!.ratios)).toEqual(['fc0.weight', 'fc0.bias', 'fc1.weight', 'fc1.bias']);
    expect(ratios.flags.some((f) => f.side === 'too-high')).toBe(true); // lr 0.3 with Adam moves weights by far more than 1e-3
    await s.release();
  });

  it('schedules any hyperparameter per parameter group (momentum, weight decay)', async () => {
    const s = await TrainSession.create({ model, loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd({ momentum: 0.9 }), lr: 0.05, weightDecay: 1e-4 }, sample, intraOpThreads: 1 });
    const trainer = new Trainer({ backend: engineBackend(s), train: trainLoader, epochs: 1, groupSize: 4, schedules: [{ target: 'momentum', schedule: { valueAt: (t) => 0.5 + t / 100 } }, { target: 'weight_decay', group: 'default', interval: 'epoch', schedule: { valueAt: () => 5e-4 } }] });
    const seen: Record<string, number>[] = [];
    trainer.events$.pipe(ofType('batch:end')).subscribe((e) => seen.push({ ...e.hyperparameters }));
    await trainer.fit();
    expect(seen[7]!['hp.momentum']).toBeCloseTo(0.57, 12);
    expect(seen[7]!['hp.weight_decay.default']).toBe(5e-4);
    expect(() => new Trainer({ backend: engineBackend(s), train: trainLoader, epochs: 1, schedules: [{ target: 'beta9', schedule: { valueAt: () => 1 } }] })).toThrow(/matches no hyperparameter input.*hp\.momentum/);
    await s.release();
  });
});
