import { describe, expect, it } from 'vitest';
import { DataType } from '@anneal/onnx';
import { int64Labels, type ArrayDataset } from './array-dataset.js';
import { batches } from './batches.js';
import { DataLoader, type BatchFeeds } from './data-loader.js';
import { DataError } from './errors.js';

/** x row i = [i, 10 i], y = i % 7, so every batch can be checked for alignment. */
function dataset(n: number): ArrayDataset {
  return {
    x: { dataType: DataType.FLOAT, dims: [n, 2], data: Float32Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? k / 2 : 5 * k - 5)) },
    y: int64Labels(Array.from({ length: n }, (_, i) => i % 7)),
  };
}
const rowsOf = (f: BatchFeeds, name = 'x') => Array.from(f[name]!.data as Float32Array).filter((_, k) => k % 2 === 0);
async function collect(it: AsyncIterable<BatchFeeds>): Promise<number[][]> {
  const out: number[][] = [];
  for await (const f of it) out.push(rowsOf(f));
  return out;
}
const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('DataLoader', () => {
  const ds = dataset(50);

  it('counts batches with and without dropLast and feeds x and labels under the given names', () => {
    expect(new DataLoader(ds, { batchSize: 16 }).batchesPerEpoch).toBe(4);
    const dl = new DataLoader(ds, { batchSize: 16, dropLast: true, inputName: 'input', labelName: 'target' });
    expect([dl.size, dl.batchesPerEpoch]).toEqual([50, 3]);
    const first = dl.epochBatches(0).next().value!;
    expect(Object.keys(first).sort()).toEqual(['input', 'target']);
    expect(first.input!.dims).toEqual([16, 2]);
    expect(Array.from(first.input!.data as Float32Array).slice(0, 6)).toEqual([0, 0, 1, 10, 2, 20]);
    expect(Array.from(first.target!.data as BigInt64Array).slice(0, 9)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 0n, 1n]);
    const sizes = [...new DataLoader(ds, { batchSize: 16 }).epochBatches(0)].map((f) => f.x!.dims[0]);
    expect(sizes).toEqual([16, 16, 16, 2]);
  });
  it('visits the same rows as batches() and keeps x and labels aligned', () => {
    const dl = new DataLoader(ds, { batchSize: 8, shuffle: true, seed: 11 });
    const viaBatches = [...batches(ds, { batchSize: 8, shuffle: true, seed: 11, epoch: 4 })].map((b) => rowsOf({ x: b.x }));
    const viaLoader = [...dl.epochBatches(4)];
    expect(viaLoader.map((f) => rowsOf(f))).toEqual(viaBatches);
    for (const f of viaLoader) {
      const ys = Array.from(f.labels!.data as BigInt64Array, Number);
      expect(ys).toEqual(rowsOf(f).map((i) => i % 7));
    }
    expect(viaLoader.flatMap((f) => rowsOf(f)).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
  it('orders an epoch from (seed, epoch) alone, whatever ran before', async () => {
    const fresh = new DataLoader(ds, { batchSize: 8, shuffle: true, seed: 2 });
    const used = new DataLoader(ds, { batchSize: 8, shuffle: true, seed: 2 });
    for (let e = 0; e < 3; e++) await collect(used.epoch(e));
    expect(await collect(used.epoch(3))).toEqual(await collect(fresh.epoch(3)));
    expect(Array.from(fresh.order(3))).not.toEqual(Array.from(fresh.order(4)));
    expect(Array.from(fresh.order(3))).not.toEqual(Array.from(new DataLoader(ds, { batchSize: 8, shuffle: true, seed: 3 }).order(3)));
    expect(Array.from(new DataLoader(ds, { batchSize: 8 }).order(5))).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
  it('resumes from a batch with exactly the batches an uninterrupted epoch yields', async () => {
    const dl = new DataLoader(ds, { batchSize: 6, shuffle: true, seed: 8 });
    const full = await collect(dl.epoch(2));
    expect(full).toHaveLength(9);
    expect(await collect(dl.epoch(2, { from: 5 }))).toEqual(full.slice(5));
    expect([...dl.epochBatches(2, 5)].map((f) => rowsOf(f))).toEqual(full.slice(5));
    expect(await collect(dl.epoch(2, { from: 9 }))).toEqual([]);
  });
  it('yields the same batches whatever the prefetch depth', async () => {
    const expected = [...new DataLoader(ds, { batchSize: 7, shuffle: true, seed: 4 }).epochBatches(1)].map((f) => rowsOf(f));
    for (const prefetch of [0, 1, 2, 5, 20]) {
      expect(await collect(new DataLoader(ds, { batchSize: 7, shuffle: true, seed: 4, prefetch }).epoch(1))).toEqual(expected);
    }
  });
  it('gathers ahead while the consumer awaits, and only on demand with prefetch 0', async () => {
    // after the consumer spent a few macrotasks "running" a step, a prefetched batch is ready
    // at once (before a macrotask queued just before asking for it); an on-demand one is not.
    async function readyBeforeMacrotask(prefetch: number): Promise<boolean> {
      const it = new DataLoader(ds, { batchSize: 5, prefetch }).epoch(0);
      await it.next();
      for (let k = 0; k < 4; k++) await macrotask();
      let macrotaskRan = false;
      setImmediate(() => (macrotaskRan = true));
      await it.next();
      await it.return?.(undefined);
      return !macrotaskRan;
    }
    expect(await readyBeforeMacrotask(2)).toBe(true);
    expect(await readyBeforeMacrotask(0)).toBe(false);
  });
  it('checks its options and says what to change', () => {
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(DataError);
    expect(() => new DataLoader(ds, { batchSize: 2.5 })).toThrow(/batchSize must be a positive integer, got 2.5/);
    expect(() => new DataLoader(ds, { batchSize: 64, dropLast: true })).toThrow(/batchSize 64 is larger than the dataset \(50 examples\) and dropLast is set, so no batch would be produced/);
    expect(new DataLoader(ds, { batchSize: 64 }).batchesPerEpoch).toBe(1);
    expect(() => new DataLoader(dataset(0), { batchSize: 4 })).toThrow(/dataset is empty/);
    expect(() => new DataLoader(ds, { batchSize: 4, prefetch: -1 })).toThrow(/prefetch must be a whole number >= 0/);
    expect(() => new DataLoader(ds, { batchSize: 4, inputName: 'a', labelName: 'a' })).toThrow(/both 'a'/);
    const dl = new DataLoader(ds, { batchSize: 10 });
    expect(() => [...dl.epochBatches(0, 6)]).toThrow(/from must be a batch index in \[0, 5\], got 6/);
    expect(() => [...dl.epochBatches(-1)]).toThrow(/epoch must be a whole number >= 0, got -1/);
    return expect(dl.epoch(0, { from: -1 }).next()).rejects.toThrow(/from must be a batch index/);
  });
});
