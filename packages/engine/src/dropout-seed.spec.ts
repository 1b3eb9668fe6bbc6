import { describe, expect, it } from 'vitest';
import { batches, loadMnist, type ArrayDataset } from '@anneal/data';
import type { TensorValue } from '@anneal/onnx';
import { adam, sgd } from '@anneal/optim';
import { dropoutNoise } from './dropout-masks.js';
import { buildMlp } from './mlp.js';
import { TrainSession, type TrainSessionOptions } from './train-session.js';

const mnist = loadMnist({ perDigit: 10 });
const feed = (b: ArrayDataset): Record<string, TensorValue> => ({ x: b.x, labels: b.y });
const list = [...batches(mnist, { batchSize: 20 })].map(feed).slice(0, 4);
const model = () => buildMlp({ sizes: [784, 32, 32, 10], dropout: 0.5, seed: 1 });

async function create(options: Partial<TrainSessionOptions>): Promise<TrainSession> {
  return TrainSession.create({ model: model(), loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd(), lr: 0.1 }, sample: list[0]!, intraOpThreads: 1, ...options });
}

async function trained(options: Partial<TrainSessionOptions>, many = false, data = list): Promise<Float32Array> {
  const s = await create(options);
  if (many) await s.stepMany(data);
  else for (const b of data) await s.step(b);
  const w = (await s.parameters())['fc0.weight']!.data as Float32Array;
  await s.release();
  return w;
}

const same = (a: Float32Array, b: Float32Array) => a.every((v, i) => v === b[i]);
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('seeded dropout', () => {
  it('compiles both Dropouts of the MLP to noise inputs (none left to ORT generators)', async () => {
    const s = await create({ seed: 7 });
    expect(s.trainStep.noiseInputs.map((n) => [n.node, n.perExample])).toEqual([[0, 32], [1, 32]]);
    expect(s.trainStep.noiseKept).toEqual([]);
    await s.release();
  });

  it('repeats a run with dropout bit for bit under the same seed, and draws other masks under another', async () => {
    expect(same(await trained({ seed: 7 }), await trained({ seed: 7 }))).toBe(true);
    expect(same(await trained({ seed: 7 }, true), await trained({ seed: 7 }, true))).toBe(true);
    expect(same(await trained({ seed: 7 }), await trained({ seed: 8 }))).toBe(false);
  });

  it('the Loop (stepMany) draws the masks of single steps: same weights to float rounding', async () => {
    const single = await trained({ seed: 7 });
    const loop = await trained({ seed: 7 }, true);
    expect(maxDiff(single, loop)).toBeLessThan(1e-6);
    // and the masks matter: another seed moves the weights by far more than the rounding
    expect(maxDiff(single, await trained({ seed: 8 }))).toBeGreaterThan(1e-3);
  });

  it('a run resumed in a new session from saved state draws the masks of the uninterrupted run: bit for bit (Adam), with or without a seed', async () => {
    for (const seed of [11, undefined]) {
      const options = { seed, optimizer: { optimizer: adam(), lr: 0.01 } };
      const whole = await create(options);
      for (const b of list.slice(0, 2)) await whole.step(b);
      const saved = await whole.stateValues();
      // without a seed the session drew one; it travels with the state
      expect(Object.keys(saved)).toContain('rng.dropout_seed');
      for (const b of list.slice(2)) await whole.step(b);
      const resumed = await create(options);
      await resumed.restoreState(saved, 2);
      for (const b of list.slice(2)) await resumed.step(b);
      const [a, b] = [await whole.stateValues(), await resumed.stateValues()];
      for (const name of Object.keys(a)) expect(same(a[name]!.data as Float32Array, b[name]!.data as Float32Array), `${name} (seed ${seed})`).toBe(true);
      await whole.release();
      await resumed.release();
    }
  });

  it('data-parallel workers and micro-batches take their slices of the whole batch masks: the one-session run to float rounding', async () => {
    const one = await trained({ seed: 3 });
    for (const parallel of [{ workers: 2 }, { workers: 2, accumulate: 2 }, { workers: 1, accumulate: 3 }]) {
      const split = await trained({ seed: 3, parallel });
      expect(maxDiff(one, split), JSON.stringify(parallel)).toBeLessThan(1e-6);
    }
  });
});

describe('dropoutNoise', () => {
  it('is uniform on [0, 1): chi-square over 64 bins of 2^17 values is within the 99.9% bound', () => {
    const u = dropoutNoise(5, 0, 1, 2 ** 17);
    const bins = new Array<number>(64).fill(0);
    for (const v of u) bins[Math.floor(v * 64)]!++;
    expect(u.reduce((m, v) => Math.min(m, v), 1)).toBeGreaterThanOrEqual(0);
    expect(u.reduce((m, v) => Math.max(m, v), 0)).toBeLessThan(1);
    const expected = u.length / 64;
    const chi2 = bins.reduce((a, o) => a + (o - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(103.4); // 63 degrees of freedom, p = 0.001
  });

  it('draws uncorrelated masks for neighbouring steps, nodes and seeds, and the same values for the same key', () => {
    const n = 20000;
    const corr = (a: Float32Array, b: Float32Array) => {
      const m = a.length;
      const ma = a.reduce((s, v) => s + v, 0) / m;
      const mb = b.reduce((s, v) => s + v, 0) / m;
      let sab = 0;
      let saa = 0;
      let sbb = 0;
      for (let i = 0; i < m; i++) [sab, saa, sbb] = [sab + (a[i]! - ma) * (b[i]! - mb), saa + (a[i]! - ma) ** 2, sbb + (b[i]! - mb) ** 2];
      return sab / Math.sqrt(saa * sbb);
    };
    const base = dropoutNoise(5, 0, 10, n);
    for (const other of [dropoutNoise(5, 0, 11, n), dropoutNoise(5, 1, 10, n), dropoutNoise(6, 0, 10, n)]) expect(Math.abs(corr(base, other))).toBeLessThan(0.03);
    // neighbouring elements of one draw
    expect(Math.abs(corr(base.subarray(0, n - 1) as Float32Array, base.subarray(1) as Float32Array))).toBeLessThan(0.03);
    expect(Array.from(dropoutNoise(5, 0, 10, n))).toEqual(Array.from(base));
  });
});
