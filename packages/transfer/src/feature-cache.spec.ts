import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType, type TensorValue } from '@anneal/onnx';
import { ocrModels } from '@anneal/testing';
import { loadBackbone } from './backbone.js';
import { FeatureCache, hashDataset } from './feature-cache.js';
import { extractFeatures } from './features.js';

const n = 6;
const data = (phase: number) => ({
  x: { dataType: DataType.FLOAT, dims: [n, 3, 48, 192], data: Float32Array.from({ length: n * 3 * 48 * 192 }, (_, i) => Math.sin(i * 0.011 + phase)) } as TensorValue,
  y: { dataType: DataType.INT64, dims: [n], data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 3)) } as TensorValue,
});

describe('the feature cache', () => {
  const backbone = loadBackbone(ocrModels.classifier);

  it('hashes data by content', () => {
    expect(hashDataset(data(0))).toBe(hashDataset(data(0)));
    expect(hashDataset(data(0))).not.toBe(hashDataset(data(0.5)));
    const relabeled = data(0);
    (relabeled.y.data as BigInt64Array)[0] = 2n;
    expect(hashDataset(relabeled)).not.toBe(hashDataset(data(0)));
  });

  it('stores features once and reuses them; the key covers model, tensor, pooling, preprocessing and data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'feature-cache-'));
    const first = await extractFeatures(backbone, data(0), { cache: dir, preprocess: 'p1' });
    expect(first.fromCache).toBe(false);
    expect(first.examplesPerSecond).toBeGreaterThan(0);
    const second = await extractFeatures(backbone, data(0), { cache: dir, preprocess: 'p1' });
    expect(second.fromCache).toBe(true);
    expect(second.path).toBe(first.path);
    expect(Array.from(second.dataset.x.data as Float32Array)).toEqual(Array.from(first.dataset.x.data as Float32Array));
    expect(Array.from(second.dataset.y.data as BigInt64Array)).toEqual(Array.from(data(0).y.data as BigInt64Array));
    expect((await extractFeatures(backbone, data(0), { cache: dir, preprocess: 'p2' })).fromCache).toBe(false);
    expect((await extractFeatures(backbone, data(1), { cache: dir, preprocess: 'p1' })).fromCache).toBe(false);
    const pooled = loadBackbone(ocrModels.classifier, { at: 'p2o.GlobalAveragePool.19' });
    expect((await extractFeatures(pooled, data(0), { cache: dir, preprocess: 'p1' })).fromCache).toBe(false);
    expect(new FeatureCache(dir).entries()).toHaveLength(4);
  });

  it('treats a damaged or half-written entry as a miss and rewrites it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'feature-cache-'));
    const first = await extractFeatures(backbone, data(0), { cache: dir });
    const cache = new FeatureCache(dir);
    const entry = cache.entries()[0]!;
    const featuresFile = join(dir, `${entry.id}.features.npy`);
    // flip bytes in the middle of the features file: the hash check rejects it
    const bytes = readFileSync(featuresFile);
    bytes[bytes.length - 10] ^= 0xff;
    writeFileSync(featuresFile, bytes);
    expect(cache.get(first.key!)).toBeUndefined();
    const again = await extractFeatures(backbone, data(0), { cache: dir });
    expect(again.fromCache).toBe(false);
    expect(Array.from(again.dataset.x.data as Float32Array)).toEqual(Array.from(first.dataset.x.data as Float32Array));
    expect((await extractFeatures(backbone, data(0), { cache: dir })).fromCache).toBe(true);
    // a crash before the metadata was written leaves data files but no entry: a miss
    rmSync(join(dir, `${entry.id}.json`));
    expect(cache.get(first.key!)).toBeUndefined();
    // a truncated metadata file is a miss too, never an exception
    writeFileSync(join(dir, `${entry.id}.json`), '{"version": 1, "key":');
    expect(cache.get(first.key!)).toBeUndefined();
    expect((await extractFeatures(backbone, data(0), { cache: dir })).fromCache).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});
