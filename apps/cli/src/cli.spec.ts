import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatNpy, loadMnist, readNpy, subset, permutation, writeNpy } from '@anneal/data';
import { DataType, decodeModel, describeValueInfo } from '@anneal/onnx';
import { loadCheckpoint } from '@anneal/runtime';
import { ocrModels } from '@anneal/testing';
import { runCli as run } from './run-cli.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', '..', '..', 'packages', 'autograd', 'fixtures', 'torch');

interface GradJson {
  loss: number;
  gradients: Record<string, { shape: number[]; data: number[] }>;
  inputGradient: { shape: number[]; data: number[] } | null;
}

const readNpyIds = (file: string): number[] => Array.from(readNpy(file).data as ArrayLike<number | bigint>, Number);

function maxRel(a: number[], r: number[], floor: number): number {
  let d = 0;
  let s = floor;
  r.forEach((v, i) => {
    d = Math.max(d, Math.abs(a[i]! - v));
    s = Math.max(s, Math.abs(v));
  });
  return d / s;
}

describe('anneal grad', () => {
  for (const name of ['mlp', 'cnn-train', 'transformer']) {
    it(`matches PyTorch's loss and gradients for the ${name} fixture (JSON${name === 'transformer' ? ', int64 token input' : ', with --input-grad'})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cli-grad-'));
      const out = join(dir, 'grads.json');
      const withInput = name !== 'transformer';
      const r = await run(['grad', join(fixtures, name, 'model.onnx'), '--input', join(fixtures, name, 'x.npy'), '--labels', join(fixtures, name, 'y.npy'), '--loss', 'cross-entropy', ...(withInput ? ['--input-grad'] : []), '--out', out]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const got = JSON.parse(readFileSync(out, 'utf8')) as GradJson;
      const ref = JSON.parse(readFileSync(join(fixtures, name, 'ref.json'), 'utf8')) as GradJson;
      expect(got.loss).toBeCloseTo(ref.loss, 5);
      expect(Object.keys(got.gradients).sort()).toEqual(Object.keys(ref.gradients).sort());
      const floor = 1e-4 * Math.max(...Object.values(ref.gradients).flatMap((g) => g.data.map(Math.abs)));
      for (const [k, g] of Object.entries(ref.gradients)) {
        expect(got.gradients[k]!.shape).toEqual(g.shape);
        expect(maxRel(got.gradients[k]!.data, g.data, floor), k).toBeLessThan(2e-4);
      }
      if (!withInput) return expect(got.inputGradient).toBeNull();
      expect(got.inputGradient!.shape).toEqual(ref.inputGradient!.shape);
      expect(maxRel(got.inputGradient!.data, ref.inputGradient!.data, 0)).toBeLessThan(2e-4);
    });
  }

  it('writes safetensors and handles a real PaddleOCR model (opset 9, Constant weights, BatchNorm)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-grad-'));
    const x = { dataType: DataType.FLOAT, dims: [2, 3, 48, 192], data: Float32Array.from({ length: 2 * 3 * 48 * 192 }, (_, i) => Math.sin(i * 0.37)) };
    writeNpy(join(dir, 'x.npy'), x);
    writeNpy(join(dir, 'y.npy'), { dataType: DataType.INT64, dims: [2], data: BigInt64Array.from([0n, 1n]) });
    const out = join(dir, 'g.safetensors');
    const r = await run(['grad', ocrModels.classifier, '--input', join(dir, 'x.npy'), '--labels', join(dir, 'y.npy'), '--out', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const { tensors, metadata } = loadCheckpoint(out);
    expect(Number(metadata.loss)).toBeGreaterThan(0);
    expect(tensors['fc_0.w_0']!.dims).toEqual([200, 2]);
    const names = Object.keys(tensors);
    expect(names.length).toBeGreaterThan(40);
    expect(names.some((n) => /mean|variance/i.test(n))).toBe(false); // BN running statistics are state
    const fc = tensors['fc_0.w_0']!.data as Float32Array;
    expect(fc.some((v) => v !== 0)).toBe(true);
    expect(fc.every(Number.isFinite)).toBe(true);
  });

  it('soft targets (--loss soft-target-cross-entropy): a mix of two labellings gives the same mix of their cross-entropy loss and gradients', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-grad-'));
    const model = join(fixtures, 'mlp', 'model.onnx');
    const x = join(fixtures, 'mlp', 'x.npy');
    const a = JSON.parse(readFileSync(join(fixtures, 'mlp', 'ref.json'), 'utf8')) as GradJson;
    const classes = describeValueInfo(decodeModel(readFileSync(model)).graph.output[0]!).dims!.at(-1) as number;
    // labelling b shifts every class id by one; soft targets t = 0.3·onehot(a) + 0.7·onehot(b)
    const ids = Array.from(readNpyIds(join(fixtures, 'mlp', 'y.npy')));
    const shifted = ids.map((c) => (c + 1) % classes);
    writeNpy(join(dir, 'b.npy'), { dataType: DataType.INT64, dims: [ids.length], data: BigInt64Array.from(shifted, BigInt) });
    const targets = new Float64Array(ids.length * classes); // numpy's default float64, converted by anneal
    ids.forEach((c, i) => {
      targets[i * classes + c] += 0.3;
      targets[i * classes + shifted[i]!] += 0.7;
    });
    writeNpy(join(dir, 't.npy'), { dataType: DataType.DOUBLE, dims: [ids.length, classes], data: targets });
    const grads = async (labels: string, loss: string): Promise<GradJson> => {
      const out = join(dir, `${loss}-${labels}.json`);
      const r = await run(['grad', model, '--input', x, '--labels', join(dir, labels), '--loss', loss, '--out', out]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      return JSON.parse(readFileSync(out, 'utf8')) as GradJson;
    };
    const b = await grads('b.npy', 'cross-entropy');
    const soft = await grads('t.npy', 'soft-target-cross-entropy');
    expect(soft.loss).toBeCloseTo(0.3 * a.loss + 0.7 * b.loss, 5);
    for (const [k, g] of Object.entries(a.gradients)) {
      const want = g.data.map((v, i) => 0.3 * v + 0.7 * b.gradients[k]!.data[i]!);
      expect(maxRel(soft.gradients[k]!.data, want, 1e-6), k).toBeLessThan(2e-4);
    }
    const r = await run(['grad', model, '--input', x, '--labels', join(dir, 't.npy'), '--loss', 'mse', '--label-smoothing', '0.1', '--out', join(dir, 'no.json')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--label-smoothing applies to the cross-entropy losses, not to 'mse'/);
  });

  it('gives typed errors and never overwrites an existing output on failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-grad-'));
    const bad = join(dir, 'bad.onnx');
    writeFileSync(bad, 'definitely not protobuf \u0000\u00ff\u00ff');
    const out = join(dir, 'grads.json');
    writeFileSync(out, '{"previous": true}');
    const x = join(fixtures, 'mlp', 'x.npy');
    const y = join(fixtures, 'mlp', 'y.npy');
    let r = await run(['grad', bad, '--input', x, '--labels', y, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.onnx is not a valid ONNX model/);
    r = await run(['grad', join(fixtures, 'mlp', 'model.onnx'), '--input', x, '--labels', join(dir, 'missing.npy'), '--out', out]);
    expect(r.err).toMatch(/missing\.npy: cannot read/);
    writeFileSync(join(dir, 'y3.npy'), formatNpy({ dataType: DataType.INT64, dims: [3], data: BigInt64Array.from([0n, 1n, 2n]) }));
    r = await run(['grad', join(fixtures, 'mlp', 'model.onnx'), '--input', x, '--labels', join(dir, 'y3.npy'), '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/y3\.npy has 3 rows but .*x\.npy has 6/);
    r = await run(['grad', join(fixtures, 'mlp', 'model.onnx'), '--input', x, '--labels', y, '--loss', 'hinge', '--out', out]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/hinge/);
    expect(readFileSync(out, 'utf8')).toBe('{"previous": true}');
  });
});

describe('anneal train', () => {
  it('trains on soft targets (--loss soft-target-cross-entropy, float [N, 10] class probabilities, numpy float64)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-train-'));
    const m = loadMnist({ perDigit: 60 });
    const ids = Array.from(m.y.data as ArrayLike<number | bigint>, Number);
    const targets = new Float64Array(ids.length * 10);
    ids.forEach((c, i) => {
      targets[i * 10 + c] = 0.9;
      targets[i * 10 + ((c + 3) % 10)] = 0.1;
    });
    writeNpy(join(dir, 'x.npy'), m.x);
    writeNpy(join(dir, 't.npy'), { dataType: DataType.DOUBLE, dims: [ids.length, 10], data: targets });
    const r = await run(['train', '--x', join(dir, 'x.npy'), '--y', join(dir, 't.npy'), '--mlp', '784,32,10', '--loss', 'soft-target-cross-entropy', '--lr', '0.01', '--epochs', '4', '--run-dir', join(dir, 'run'), '--no-progress']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // the loss starts near ln 10 = 2.303 and cannot go below the targets' entropy, 0.325
    const test = Number(/test: loss ([\d.]+) on \d+ examples/.exec(r.out)?.[1]);
    expect(test).toBeLessThan(1.5);
    expect(test).toBeGreaterThan(0.325);
  });
  it('trains an MLP on .npy data, prints loss per epoch, writes a checkpoint and an inference model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-train-'));
    const m = loadMnist({ perDigit: 150 });
    const s = subset(m, permutation(m.x.dims[0]!, 1));
    writeNpy(join(dir, 'x.npy'), s.x);
    writeNpy(join(dir, 'y.npy'), s.y);
    const r = await run(['train', '--x', join(dir, 'x.npy'), '--y', join(dir, 'y.npy'), '--mlp', '784,32,10', '--optimizer', 'momentum', '--lr', '0.05', '--epochs', '4', '--batch-size', '32', '--out', join(dir, 'm.onnx'), '--checkpoint', join(dir, 'c.safetensors'), '--run-dir', join(dir, 'run'), '--no-progress']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const epochs = [...r.out.matchAll(/epoch (\d)\/4 {2}loss ([\d.]+) ± [\d.]+ {2}accuracy [\d.]+% {2}val loss ([\d.]+) {2}accuracy ([\d.]+)%/g)];
    expect(epochs.length).toBe(4);
    expect(Number(epochs[3]![2])).toBeLessThan(Number(epochs[0]![2]));
    expect(Number(epochs[3]![4])).toBeGreaterThan(80);
    expect(existsSync(join(dir, 'm.onnx'))).toBe(true);
    expect(Object.keys(loadCheckpoint(join(dir, 'c.safetensors')).tensors)).toContain('state.momentum_buffer.fc0.weight');
  });

  it('trains an ONNX model file (a torch export) on .npy data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-train-'));
    // 5 classes decided by which of 5 fixed directions a 20-d point is most aligned with: learnable by the MLP fixture
    const n = 400;
    const x = Float32Array.from({ length: n * 20 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
    const y = BigInt64Array.from({ length: n }, (_, r) => {
      let best = 0;
      let bestScore = -Infinity;
      for (let c = 0; c < 5; c++) {
        let score = 0;
        for (let j = 0; j < 20; j++) score += x[r * 20 + j]! * Math.cos((c + 1) * (j + 1));
        if (score > bestScore) [best, bestScore] = [c, score];
      }
      return BigInt(best);
    });
    writeNpy(join(dir, 'x.npy'), { dataType: DataType.FLOAT, dims: [n, 20], data: x });
    writeNpy(join(dir, 'y.npy'), { dataType: DataType.INT64, dims: [n], data: y });
    const r = await run(['train', join(fixtures, 'mlp', 'model.onnx'), '--x', join(dir, 'x.npy'), '--y', join(dir, 'y.npy'), '--optimizer', 'adamw', '--lr', '0.01', '--weight-decay', '0.01', '--clip', '5', '--epochs', '8', '--batch-size', '32', '--run-dir', join(dir, 'run'), '--no-progress']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/training 8 tensors with adamw on cpu/);
    const acc = [...r.out.matchAll(/val loss [\d.]+ {2}accuracy ([\d.]+)%/g)].map((m) => Number(m[1]));
    expect(acc.length).toBe(8);
    expect(acc[7]!).toBeGreaterThan(70);
    expect(acc[7]!).toBeGreaterThan(acc[0]!);
  });

  it('--device cuda falls back to CPU with a warning on stderr when the CUDA provider is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-train-'));
    const m = loadMnist({ perDigit: 10 });
    writeNpy(join(dir, 'x.npy'), m.x);
    writeNpy(join(dir, 'y.npy'), m.y);
    const r = await run(['train', '--x', join(dir, 'x.npy'), '--y', join(dir, 'y.npy'), '--mlp', '784,10', '--epochs', '1', '--device', 'cuda', '--device-id', '0', '--run-dir', join(dir, 'run'), '--no-progress']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: device-fallback \(cuda -> cpu\)/);
    expect(r.out).toMatch(/on cpu/);
  });

  it('works as `npx anneal` through the bin script', () => {
    const root = join(here, '..', '..', '..');
    const help = execFileSync(join(root, 'node_modules', '.bin', 'anneal'), ['--help'], { encoding: 'utf8', cwd: root, env: { ...process.env, ANNEAL_SOURCE: '1' } });
    expect(help).toMatch(/grad \[options\] <model>/);
    expect(help).toMatch(/train \[options\] \[model\]/);
  });
});
