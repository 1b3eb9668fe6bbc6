import { describe, expect, it } from 'vitest';
import { DataType, type TensorValue } from '@anneal/onnx';
import { accuracy, batchMetric, topK } from './metrics.js';
import { RunningStats } from './running-stats.js';

const logits = (rows: number[][]): TensorValue => ({ dataType: DataType.FLOAT, dims: [rows.length, rows[0]!.length], data: Float32Array.from(rows.flat()) });
const labels = (ids: number[]): TensorValue => ({ dataType: DataType.INT64, dims: [ids.length], data: BigInt64Array.from(ids, BigInt) });

describe('metrics', () => {
  const x = logits([
    [3, 1, 2], // argmax 0
    [0, 5, 4], // argmax 1
    [1, 5, 9], // argmax 2
    [2, 2, 1], // tie between 0 and 1: the lower id ranks first
  ]);
  const y = labels([2, 1, 0, 1]);

  it('accuracy and top-k count hits by rank, ties broken toward lower class ids', () => {
    const acc = accuracy();
    acc.update(x, y);
    expect(acc.compute()).toBe(1 / 4); // only row 1
    const top2 = topK(2);
    top2.update(x, y);
    expect(top2.name).toBe('top2');
    expect(top2.compute()).toBe(3 / 4); // rows 0 (2nd), 1, 3 (2nd after the tie); row 2's label ranks 3rd
  });

  it('accumulates over batches and survives state/restore mid-pass', () => {
    const a = topK(1);
    a.update(x, y);
    const b = topK(1);
    b.restore(a.state());
    b.update(x, y);
    expect(b.compute()).toBe(2 / 8);
    b.reset();
    expect(b.compute()).toBeNaN();
  });

  it('user metrics from per-batch sums', () => {
    const m = batchMetric('mean-max-logit', (l) => ({ sum: [3, 5, 9, 2].reduce((s, v) => s + v, 0) * (l.dims[0] === 4 ? 1 : 0), count: 4 }));
    m.update(x, y);
    m.update(x, y);
    expect(m.compute()).toBe(19 / 4);
  });

  it('rejects logits and labels that do not match', () => {
    expect(() => accuracy().update(x, labels([1, 2]))).toThrow(/logits have 4 rows but labels have 2/);
    expect(() => topK(0)).toThrow(/positive integer/);
  });
});

describe('RunningStats', () => {
  it('matches the two-pass mean and population variance, and resumes from its state', () => {
    const values = [0.9, 1.3, 0.2, 2.5, 1.1, 0.7, 3.2];
    const s = new RunningStats();
    values.slice(0, 3).forEach((v) => s.push(v));
    const t = new RunningStats();
    t.restore(s.state());
    values.slice(3).forEach((v) => t.push(v));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    const sum = t.summary();
    expect(sum.mean).toBeCloseTo(mean, 14);
    expect(sum.variance).toBeCloseTo(variance, 14);
    expect(sum.std).toBeCloseTo(Math.sqrt(variance), 14);
    expect([sum.min, sum.max, sum.count]).toEqual([0.2, 3.2, 7]);
    expect(JSON.parse(JSON.stringify(t.state()))).toEqual(t.state());
  });
});
