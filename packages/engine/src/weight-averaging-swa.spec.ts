// SWA on real computations: BatchNormalization statistics recomputed over data against the closed
// form, the SWA callback's uniform average against the weights it saw, and a real MNIST CNN where
// the averaged weights need the BatchNorm refresh.
import { describe, expect, it } from 'vitest';
import { accuracy, stochasticWeightAveraging, Trainer } from '@anneal/core';
import { DataLoader, loadMnist, splitTrainValTest, type ArrayDataset } from '@anneal/data';
import { DataType, GraphBuilder, makeModel, tensors, type TensorValue } from '@anneal/onnx';
import { sgd } from '@anneal/optim';
import { maxRelativeError, randn } from '@anneal/testing';
import { batchNormStatistics } from './batch-norm-statistics.js';
import { buildCnn } from './cnn.js';
import { engineBackend } from './engine-backend.js';
import { TrainSession } from './train-session.js';

describe('batchNormStatistics', () => {
  it('is the mean over batches of the batch means and of the unbiased batch variances (torch update_bn)', async () => {
    const [N, C, H, W] = [4, 3, 2, 5];
    const b = new GraphBuilder({ opset: 17, name: 'bn' });
    b.input('x', DataType.FLOAT, ['N', C, H, W]);
    const t = (name: string, v: number) => b.initializer(tensors.float(name, [C], new Float32Array(C).fill(v)));
    const y = b.op('BatchNormalization', ['x', t('scale', 1), t('bias', 0), t('bn.running_mean', 0), t('bn.running_var', 1)]);
    b.output(y, DataType.FLOAT, ['N', C, H, W]);
    const model = makeModel(b.graph, 17);
    const batches = [1, 2, 3].map((seed) => ({ x: { dataType: DataType.FLOAT, dims: [N, C, H, W], data: Float32Array.from(randn(N * C * H * W, seed), (v) => 2 * v + seed) } as TensorValue }));
    const stats = await batchNormStatistics(model, batches);
    const m = N * H * W;
    for (let c = 0; c < C; c++) {
      let meanSum = 0;
      let varSum = 0;
      for (const batch of batches) {
        const xs: number[] = [];
        const d = batch.x.data as Float32Array;
        for (let n = 0; n < N; n++) for (let i = 0; i < H * W; i++) xs.push(d[(n * C + c) * H * W + i]!);
        const mean = xs.reduce((a, v) => a + v, 0) / m;
        meanSum += mean;
        varSum += xs.reduce((a, v) => a + (v - mean) ** 2, 0) / (m - 1);
      }
      expect((stats['bn.running_mean']!.data as Float32Array)[c]).toBeCloseTo(meanSum / 3, 4);
      expect((stats['bn.running_var']!.data as Float32Array)[c]).toBeCloseTo(varSum / 3, 3);
    }
  });
});

const mnist = loadMnist({ perDigit: 150, image: true });
const parts = splitTrainValTest(mnist, { val: 0.2, test: 0.2, seed: 1 });
const train = new DataLoader(parts.train, { batchSize: 32, shuffle: true, seed: 2 });
const val = new DataLoader(parts.val as ArrayDataset, { batchSize: 300 });

interface SwaOutcome {
  last: { loss: number; accuracy: number };
  stale: { loss: number; accuracy: number };
  refreshed: { loss: number; accuracy: number };
}

/** Trains the CNN 6 epochs with SWA from epoch 1; checks the uniform average; evaluates the three weight sets. */
async function swaRun(seed: number): Promise<SwaOutcome> {
  const session = await TrainSession.create({
    model: buildCnn({ input: [1, 28, 28], classes: 10, channels: [8, 16], hidden: [32], batchNorm: true, seed }),
    loss: { kind: 'cross-entropy' },
    optimizer: { optimizer: sgd({ momentum: 0.9 }), lr: 0.1 },
    sample: { ...train.epochBatches(0).next().value! },
    batchNorm: 'train',
    intraOpThreads: 1,
  });
  const swa = stochasticWeightAveraging({ startEpoch: 1 });
  const seen: Record<string, TensorValue>[] = [];
  const backend = engineBackend(session);
  const trainer = new Trainer({ backend, train, val, epochs: 6, metrics: () => [accuracy()], callbacks: [swa, { key: 'spy', onEpochEnd: async (e, c) => void (e.epoch >= 1 && seen.push(await c.captureWeights())) }] });
  await trainer.fit();
  expect(swa.count).toBe(6);
  const average = swa.average();
  const expected = (seen[0]!['fc0.weight']!.data as Float32Array).map((_, i) => seen.reduce((a, w) => a + (w['fc0.weight']!.data as Float32Array)[i]!, 0) / seen.length);
  expect(maxRelativeError(average['fc0.weight']!.data as Float32Array, expected)).toBeLessThan(1e-5);
  const score = async () => {
    const r = await session.evaluate(val.epochBatches(0));
    return { loss: r.loss, accuracy: r.accuracy! };
  };
  const last = await score();
  await backend.loadWeights(average);
  const stale = await score();
  await session.refreshBatchNorm(train.epochBatches(0));
  const refreshed = await score();
  await session.release();
  return { last, stale, refreshed };
}

describe('stochasticWeightAveraging on a real MNIST CNN with BatchNorm', () => {
  // One run is too noisy for SWA's claims (on some seeds the last weights happen to beat the average,
  // or the refresh moves the loss by 1e-3 either way), so they are checked on the mean over 8 seeds.
  it('averages the epoch-end weights uniformly; over 8 seeds the average beats the last weights and the BatchNorm refresh lowers its loss', async () => {
    const runs: SwaOutcome[] = [];
    for (let seed = 1; seed <= 8; seed++) runs.push(await swaRun(seed));
    const mean = (pick: (r: SwaOutcome) => number) => runs.reduce((a, r) => a + pick(r), 0) / runs.length;
    const [lastLoss, staleLoss, refreshedLoss] = [mean((r) => r.last.loss), mean((r) => r.stale.loss), mean((r) => r.refreshed.loss)];
    const [lastAcc, staleAcc, refreshedAcc] = [mean((r) => r.last.accuracy), mean((r) => r.stale.accuracy), mean((r) => r.refreshed.accuracy)];
    console.log(`SWA on MNIST CNN, mean of 8 seeds: last weights ${(lastAcc * 100).toFixed(2)}% (loss ${lastLoss.toFixed(4)}), SWA without BN refresh ${(staleAcc * 100).toFixed(2)}% (${staleLoss.toFixed(4)}), with refresh ${(refreshedAcc * 100).toFixed(2)}% (${refreshedLoss.toFixed(4)})`);
    expect(staleAcc).toBeGreaterThan(lastAcc); // the average beats the last, noisy weights
    expect(staleLoss).toBeLessThan(lastLoss);
    expect(refreshedLoss).toBeLessThan(staleLoss); // statistics of the averaged weights, not of the last ones
  }, 240_000);
});
