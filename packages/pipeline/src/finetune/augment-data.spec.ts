import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { finetuneConfigSchema } from '../config/finetune-config.js';
import { augmentedTrain, checkAugmentConfig, mixLossSpec, oneHotBatch } from './augment-data.js';
import { DataType } from '@anneal/onnx';
import type { FinetuneData, LazyPart } from './finetune-data.js';

const dir = mkdtempSync(join(tmpdir(), 'augment-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Six small SVG images (sharp decodes them like any image file), two classes. */
function imageFolder(): { files: string[]; labels: number[] } {
  const files: string[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 6; i++) {
    const file = join(dir, `${i}.svg`);
    writeFileSync(file, `<svg xmlns="http://www.w3.org/2000/svg" width="12" height="10"><rect width="12" height="10" fill="rgb(${40 * i},${200 - 30 * i},90)"/><rect x="${i}" y="2" width="4" height="4" fill="white"/></svg>`);
    files.push(file);
    labels.push(i % 2);
  }
  return { files, labels };
}

describe('augmentedTrain', () => {
  it('counts the batches handed to training and the time it waited for them; a consumer that stops early leaves the loader usable', async () => {
    const { files, labels } = imageFolder();
    const part = (size: number): LazyPart => ({ size, key: 'k', load: () => Promise.reject(new Error('not decoded in this spec')) });
    const data: FinetuneData = { parts: { train: { ...part(6), files, labels }, test: part(0) }, classes: 2, preprocessKey: 'p' };
    const config = finetuneConfigSchema.parse({
      mode: 'finetune',
      backbone: { path: 'unused.onnx' },
      data: { source: { type: 'images', dir }, preprocess: { size: [8, 8], channels: 3 }, augment: { flip: 0.5, jitter: { brightness: 0.2 }, workers: 1 }, batchSize: 2 },
      optimizer: { type: 'sgd', lr: 0.1 },
      train: { epochs: 1 },
    });
    const train = augmentedTrain(config, data, 'x');
    try {
      expect(train.describe).toBe('augmenting 6 training images (flip, jitter) in 1 worker thread');
      expect(train.waited()).toEqual({ workers: 1, batches: 0, waitSeconds: 0 });
      const first: number[][] = [];
      for await (const b of train.source.epoch(1)) {
        expect(b.x!.dims).toEqual([2, 3, 8, 8]);
        first.push(Array.from(b.labels!.data as BigInt64Array, Number));
      }
      expect(first).toHaveLength(3);
      const after = train.waited();
      expect(after.batches).toBe(3);
      expect(after.waitSeconds).toBeGreaterThan(0); // the workers start and decode while the first batch is awaited
      expect(Number.isFinite(after.waitSeconds)).toBe(true);
      // stop after one batch of epoch 2, then epoch 1 again: the same batches as before
      for await (const _ of train.source.epoch(2)) break;
      expect(train.waited().batches).toBe(4);
      const again: number[][] = [];
      for await (const b of train.source.epoch(1)) again.push(Array.from(b.labels!.data as BigInt64Array, Number));
      expect(again).toEqual(first);
      expect(train.waited().batches).toBe(7);
      expect(train.waited().waitSeconds).toBeGreaterThanOrEqual(after.waitSeconds);
    } finally {
      await train.close();
    }
  });

  it('with mixup / cutmix: soft targets [N, classes] (rows of λ and 1 − λ), the same batches on every pass of an epoch', async () => {
    const { files, labels } = imageFolder();
    const part = (size: number): LazyPart => ({ size, key: 'k', load: () => Promise.reject(new Error('not decoded in this spec')) });
    const data: FinetuneData = { parts: { train: { ...part(6), files, labels }, test: part(0) }, classes: 2, preprocessKey: 'p' };
    const config = finetuneConfigSchema.parse({
      mode: 'finetune',
      backbone: { path: 'unused.onnx' },
      data: { source: { type: 'images', dir }, preprocess: { size: [8, 8], channels: 3 }, augment: { flip: 0.5, mixup: 0.4, cutmix: 1, switchProb: 0.5 }, batchSize: 3 },
      loss: { type: 'cross-entropy', labelSmoothing: 0.1 },
      optimizer: { type: 'sgd', lr: 0.1 },
      train: { epochs: 1 },
    });
    expect(() => checkAugmentConfig(config)).not.toThrow();
    expect(mixLossSpec(config)).toEqual({ type: 'soft-target-cross-entropy', labelSmoothing: 0.1 });
    const train = augmentedTrain(config, data, 'x');
    try {
      expect(train.describe).toBe('augmenting 6 training images (flip, mixup α 0.4 / cutmix α 1 (cutmix on 50% of mixed batches)) in 1 worker thread');
      const pass = async (epoch: number) => {
        const out: number[][] = [];
        for await (const b of train.source.epoch(epoch)) {
          expect(b.labels!.dataType).toBe(DataType.FLOAT);
          expect(b.labels!.dims).toEqual([3, 2]);
          out.push(Array.from(b.labels!.data as Float32Array));
        }
        return out;
      };
      const first = await pass(0);
      for (const t of first) for (let i = 0; i < 3; i++) expect(t[2 * i]! + t[2 * i + 1]!).toBeCloseTo(1, 6);
      expect(first.flat().some((v) => v > 0.01 && v < 0.99)).toBe(true); // mixed, not one-hot
      expect(await pass(0)).toEqual(first);
      expect(await pass(1)).not.toEqual(first);
    } finally {
      await train.close();
    }
  });

  it('oneHotBatch: the shape a mixed batch has (what the step compiles with)', () => {
    const b = oneHotBatch({ x: { dataType: DataType.FLOAT, dims: [2, 1], data: new Float32Array(2) }, labels: { dataType: DataType.INT64, dims: [2], data: BigInt64Array.from([1n, 0n]) } }, 3);
    expect(b.labels).toEqual({ dataType: DataType.FLOAT, dims: [2, 3], data: Float32Array.from([0, 1, 0, 1, 0, 0]) });
  });
});
