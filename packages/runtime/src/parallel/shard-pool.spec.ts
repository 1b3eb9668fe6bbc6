import { describe, expect, it } from 'vitest';
import { DataType, GraphBuilder, type TensorValue } from '@anneal/onnx';
import { chunkRange, reduceChunk } from './all-reduce.js';
import { ShardPool, ShardWorkerError } from './shard-pool.js';

// g = x * w (elementwise, [4]); s = sum(x) ([1]); the pool reduces g and returns s per micro-batch
function model() {
  const b = new GraphBuilder({ opset: 17 });
  b.input('w', DataType.FLOAT, [4]);
  b.input('x', DataType.FLOAT, [4]);
  b.op('Mul', ['x', 'w'], {}, { output: 'g' });
  b.op('ReduceSum', ['x', b.ints([0])], { keepdims: 1 }, { output: 's' });
  b.output('g', DataType.FLOAT, [4]);
  b.output('s', DataType.FLOAT, [1]);
  return b.build();
}
const x = (...v: number[]): Record<string, TensorValue> => ({ x: { dataType: DataType.FLOAT, dims: [4], data: Float32Array.from(v) } });
const options = { model: model(), broadcast: [{ name: 'w', dims: [4] }], reduce: [{ name: 'g', dims: [4] }], fetch: ['s'] };

describe('chunkRange / reduceChunk', () => {
  it('splits a buffer into contiguous chunks covering it exactly once', () => {
    for (const [total, workers] of [[10, 3], [2, 4], [7, 7], [0, 2]] as const) {
      const ranges = Array.from({ length: workers }, (_, i) => chunkRange(total, workers, i));
      expect(ranges[0]![0]).toBe(0);
      expect(ranges.at(-1)![1]).toBe(total);
      for (let i = 1; i < workers; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1]);
      const sizes = ranges.map(([a, b]) => b - a);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });
  it('sums every worker slot over its own chunk only', () => {
    const slots = Float32Array.from([1, 2, 3, 4, 10, 20, 30, 40]);
    const reduced = new Float32Array(4).fill(-1);
    reduceChunk(slots, reduced, 4, 1, 2);
    expect(Array.from(reduced)).toEqual([-1, -1, 33, 44]);
  });
});

describe('ShardPool', () => {
  it('all-reduces weighted outputs over workers and micro-batches (1, 2 and 3 workers)', async () => {
    const w = Float32Array.from([1, -2, 0.5, 3]);
    const micro = [x(1, 2, 3, 4), x(-1, 0, 2, 5), x(0.5, 0.5, 0.5, 0.5), x(2, 2, -2, 1)];
    const weights = [0.1, 0.2, 0.3, 0.4];
    const expected = [0, 1, 2, 3].map((i) => micro.reduce((acc, m, k) => acc + weights[k]! * (m.x!.data as Float32Array)[i]! * w[i]!, 0));
    for (const workers of [1, 2, 3]) {
      const pool = await ShardPool.create({ ...options, workers });
      try {
        expect(pool.devices).toEqual(Array(workers).fill('cpu'));
        // round-robin assignment; with 3 workers one gets two micro-batches
        const work = Array.from({ length: workers }, (_, wi) => micro.map((m, k) => ({ feeds: m, weight: weights[k]! })).filter((_, k) => k % workers === wi));
        for (let repeat = 0; repeat < 2; repeat++) {
          const r = await pool.run({ w }, work);
          Array.from(r.reduced.g!).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
          expect(r.outputs.map((o) => o.length)).toEqual(work.map((list) => list.length));
          expect(Number(r.outputs[0]![0]!.s!.data[0])).toBeCloseTo(10, 6);
        }
      } finally {
        await pool.close();
      }
    }
  });

  it('takes new broadcast values every step, and a worker with no work contributes zeros', async () => {
    const pool = await ShardPool.create({ ...options, workers: 2 });
    try {
      const first = await pool.run({ w: Float32Array.from([1, 1, 1, 1]) }, [[{ feeds: x(1, 2, 3, 4), weight: 1 }], []]);
      expect(Array.from(first.reduced.g!)).toEqual([1, 2, 3, 4]);
      const second = await pool.run({ w: Float32Array.from([2, 0, 0, 0]) }, [[], [{ feeds: x(1, 2, 3, 4), weight: 0.5 }]]);
      expect(Array.from(second.reduced.g!)).toEqual([1, 0, 0, 0]);
      expect(second.outputs[0]).toEqual([]);
    } finally {
      await pool.close();
    }
  });

  it('reports a failing run as a typed error naming the worker, and keeps working afterwards', async () => {
    const pool = await ShardPool.create({ ...options, workers: 2 });
    try {
      const bad = { x: { dataType: DataType.FLOAT, dims: [3], data: new Float32Array(3) } };
      // many rounds: the worker that did not fail may still be replying to the failed step when the
      // next run starts (its late reply once answered the next run, with a stale half of the result)
      for (let round = 0; round < 40; round++) {
        const err = await pool.run({ w: new Float32Array(4) }, [[{ feeds: x(1, 1, 1, 1), weight: 1 }], [{ feeds: bad, weight: 1 }]]).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ShardWorkerError);
        expect((err as ShardWorkerError).worker).toBe(1);
        const ok = await pool.run({ w: Float32Array.from([1, 1, 1, round]) }, [[{ feeds: x(1, 1, 1, 1), weight: 1 }], [{ feeds: x(1, 1, 1, 1), weight: 1 }]]);
        expect(Array.from(ok.reduced.g!), `round ${round}`).toEqual([2, 2, 2, 2 * round]);
      }
    } finally {
      await pool.close();
    }
  });

  it('rejects work for the wrong number of workers and wrong broadcast sizes', async () => {
    const pool = await ShardPool.create({ ...options, workers: 2 });
    try {
      await expect(pool.run({ w: new Float32Array(4) }, [[]])).rejects.toThrow(/work for 1 workers; the pool has 2/);
      await expect(pool.run({ w: new Float32Array(3) }, [[], []])).rejects.toThrow(/'w' has 3 elements, expected 4/);
      await expect(pool.run({}, [[], []])).rejects.toThrow(/'w' is missing/);
    } finally {
      await pool.close();
    }
    await expect(pool.run({ w: new Float32Array(4) }, [[], []])).rejects.toThrow(/after close/);
  });

  it('asked for CUDA on a machine without it, every worker falls back to CPU with a warning naming it, and computes the same', async () => {
    const warnings: string[] = [];
    const pool = await ShardPool.create({ ...options, workers: 2, device: 'cuda', deviceIds: [0, 1], onWarning: (w) => warnings.push(`${w.requested}->${w.used}: ${w.reason}`) });
    try {
      expect(pool.devices).toEqual(['cpu', 'cpu']);
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toMatch(/^cuda->cpu: worker 0: /);
      expect(warnings[1]).toMatch(/^cuda->cpu: worker 1: /);
      const r = await pool.run({ w: Float32Array.from([1, 2, 3, 4]) }, [[{ feeds: x(1, 1, 1, 1), weight: 0.5 }], [{ feeds: x(1, 1, 1, 1), weight: 0.5 }]]);
      expect(Array.from(r.reduced.g!)).toEqual([1, 2, 3, 4]);
    } finally {
      await pool.close();
    }
  });

  it('fails creation with a typed error when the model is malformed', async () => {
    await expect(ShardPool.create({ ...options, model: Uint8Array.from([1, 2, 3]), workers: 2 })).rejects.toBeInstanceOf(ShardWorkerError);
  });
});
