// SWA on real computations: BatchNormalization statistics recomputed over data against the closed
// form, the SWA callback's uniform average against the weights it saw, and a real MNIST CNN where
// the averaged weights need the BatchNorm refresh.
import { describe, expect, it } from 'vitest';
import { accuracy, stochasticWeightAveraging, Trainer } from '@anneal/core';
import { DataLoader, loadMnist, splitTrainValTest, type ArrayDataset } from '@anneal/data';
import { DataType, GraphBuilder, makeModel, tensors, type TensorValue } from '@anneal/onnx';
import { sgd } from '@anneal/optim';
import { maxRelativeError, randn } from '@anneal/testing';
import { batchNormStatistics } from './batch-norm-statistics';
import { buildCnn } from './cnn';
import { engineBackend } from './engine-backend';
import { TrainSession } from './train-session';

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

describe('stochasticWeightAveraging on a real MNIST CNN with BatchNorm', () => {
  it('averages the epoch-end weights uniformly, and the averaged weights need the BatchNorm refresh', async () => {
    const session = await TrainSession.create({
      model: buildCnn({ input: [1, 28, 28], classes: 10, channels: [8, 16], hidden: [32], batchNorm: true, seed: 3 }),
      loss: { kind: 'cross-entropy' },
      optimizer: { optimizer: sgd({ momentum: 0.9 }), lr: 0.1 },
      sample: { ...train.epochBatches(0).next().value! },
      batchNorm: 'train',
      intraOpThreads: 1,
    });
    const swa = stochasticWeightAveraging({ startEpoch: 2 });
    const seen: Record<string, TensorValue>[] = [];
    const backend = engineBackend(session);
    const trainer = new Trainer({ backend, train, val, epochs: 6, metrics: () => [accuracy()], callbacks: [swa, { key: 'spy', onEpochEnd: async (e, c) => void (e.epoch >= 2 && seen.push(await c.captureWeights())) }] });
    await trainer.fit();
    expect(swa.count).toBe(4);
    const average = swa.average();
    const expected = (seen[0]!['fc0.weight']!.data as Float32Array).map((_, i) => seen.reduce((a, w) => a + (w['fc0.weight']!.data as Float32Array)[i]!, 0) / seen.length);
    expect(maxRelativeError(average['fc0.weight']!.data as Float32Array, expected)).toBeLessThan(1e-5);

    const last = await session.evaluate(val.epochBatches(0));
    await backend.loadWeights(average);
    const stale = await session.evaluate(val.epochBatches(0));
    await session.refreshBatchNorm(train.epochBatches(0));
    const refreshed = await session.evaluate(val.epochBatches(0));
    console.log(`SWA on MNIST CNN: last weights ${(last.accuracy! * 100).toFixed(2)}%, SWA without BN refresh ${(stale.accuracy! * 100).toFixed(2)}%, with refresh ${(refreshed.accuracy! * 100).toFixed(2)}%`);
    expect(stale.accuracy!).toBeGreaterThan(last.accuracy!); // the average beats the last, noisy weights
    expect(refreshed.accuracy!).toBeGreaterThanOrEqual(stale.accuracy!);
    expect(refreshed.loss).toBeLessThan(stale.loss);
    await session.release();
  }, 120_000);
});
