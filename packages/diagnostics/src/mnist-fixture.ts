// Test fixture (not exported): a small real MNIST MLP setup for the recipe specs.
import { Trainer } from '@anneal/core';
import { DataLoader, loadMnist, splitTrainValTest, type ArrayDataset } from '@anneal/data';
import { buildMlp, engineBackend, TrainSession } from '@anneal/engine';
import { adam, sgd } from '@anneal/optim';
import { sessionTarget } from './session-target.js';
import type { FitRunner, ProbeTarget } from './target.js';
import { trainerRunner } from './trainer-runner.js';
import { accuracy } from '@anneal/core';

export interface MnistSetup {
  train: DataLoader;
  val: DataLoader;
  test: DataLoader;
  target(options?: { hidden?: number; initScale?: number; optimizer?: 'adam' | 'sgd' }): ProbeTarget;
  runner(options?: { hidden?: number; optimizer?: 'adam' | 'sgd' }): FitRunner;
}

/** MNIST digits (perDigit per class), a seeded train/val/test split, an MLP 784-h-10. */
export function mnistSetup(options: { perDigit?: number; batchSize?: number; seed?: number } = {}): MnistSetup {
  const ds = loadMnist({ perDigit: options.perDigit ?? 60 });
  const parts = splitTrainValTest(ds, { val: 0.2, test: 0.2, seed: options.seed ?? 0 });
  const train = new DataLoader(parts.train, { batchSize: options.batchSize ?? 32, shuffle: true, seed: 1 });
  const val = new DataLoader(parts.val as ArrayDataset, { batchSize: 500 });
  const test = new DataLoader(parts.test as ArrayDataset, { batchSize: 500 });
  const model = (hidden: number, initScale = 1) => {
    const m = buildMlp({ sizes: [784, hidden, 10], seed: 3 });
    if (initScale !== 1) for (const t of m.graph.initializer) if (t.floatData?.length || t.rawData) scaleInit(t, initScale);
    return m;
  };
  const opt = (kind: 'adam' | 'sgd' = 'adam') => (kind === 'adam' ? adam() : sgd({ momentum: 0.9 }));
  return {
    train,
    val,
    test,
    target: (o = {}) => sessionTarget({ model: model(o.hidden ?? 64, o.initScale), loss: { kind: 'cross-entropy' }, optimizer: { optimizer: opt(o.optimizer) }, train, lossInfo: { kind: 'cross-entropy', classes: 10 }, intraOpThreads: 1 }),
    runner: (o = {}) =>
      trainerRunner(async (req) => {
        const session = await TrainSession.create({
          model: model(Math.round((o.hidden ?? 64) * (req.capacity ?? 1))),
          loss: { kind: 'cross-entropy' },
          optimizer: { optimizer: opt(o.optimizer), lr: req.lr, weightDecay: req.weightDecay },
          sample: { ...train.epochBatches(0).next().value! },
          intraOpThreads: 1,
        });
        const steps = req.epochs * train.batchesPerEpoch;
        const trainer = new Trainer({
          backend: engineBackend(session),
          train,
          val,
          epochs: req.epochs,
          metrics: () => [accuracy()],
          callbacks: req.callbacks,
          normsEvery: req.normsEvery,
          schedules: req.lrSchedule === 'cosine' ? [{ target: 'lr', schedule: { valueAt: (s: number) => (req.lr * (1 + Math.cos((Math.PI * Math.min(s, steps)) / steps))) / 2 } }] : [],
        });
        return { trainer, classes: 10, test: () => session.evaluate(test.epochBatches(0)), release: () => session.release() };
      }),
  };
}

function scaleInit(t: { floatData?: number[]; rawData?: Uint8Array; dataType?: number }, k: number): void {
  if (t.floatData?.length) t.floatData = t.floatData.map((v) => v * k);
  else if (t.rawData) {
    const f = new Float32Array(t.rawData.buffer.slice(t.rawData.byteOffset, t.rawData.byteOffset + t.rawData.byteLength));
    for (let i = 0; i < f.length; i++) f[i]! *= k;
    t.rawData = new Uint8Array(f.buffer);
  }
}
