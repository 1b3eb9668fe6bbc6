import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadIris, readNpy, subset, writeNpy } from '@anneal/data';
import { buildMlp } from '@anneal/engine';
import { DataType, GraphBuilder, saveModel, tensors, type ModelProto } from '@anneal/onnx';
import { runCli as run } from '../run-cli.js';
import { spawnCli } from '../spawn-cli.js';

const root = mkdtempSync(join(tmpdir(), 'anneal-predict-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Six Iris rows (two per class) as float32 [6, 4]. */
function irisRows(): string {
  const x = join(root, 'x.npy');
  if (!existsSync(x)) writeNpy(x, subset(loadIris(), [0, 1, 50, 51, 100, 101]).x);
  return x;
}

/** A model from x [N, 4] to one output built by `out`. */
function model(name: string, out: (b: GraphBuilder) => void): string {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, ['N', 4]);
  out(b);
  const path = join(root, `${name}.onnx`);
  saveModel(path, b.build());
  return path;
}

describe('anneal predict checks what the model outputs', () => {
  it('a rank-1 output is an error naming the output and its dims, not class 0 for every row; nothing is written', async () => {
    const path = model('rank1', (b) => b.output(b.op('ReduceSum', ['x', b.ints([1])], { keepdims: 0 }, { output: 'y' }), DataType.FLOAT, ['N']));
    const out = join(root, 'rank1-classes.npy');
    const probs = join(root, 'rank1-probs.npy');
    const r = await run(['predict', path, '--input', irisRows(), '--out', out, '--probabilities', probs]);
    expect(r.code).toBeGreaterThan(0);
    expect(r.err).toMatch(/^anneal: ModelOutputError: .*rank1\.onnx: output 'y' has dims \[6\] \(rank 1\); a classifier needs float scores \[N, classes\]/);
    expect(existsSync(out) || existsSync(probs)).toBe(false);
  });

  it('int64 logits are a typed error (no BigInt TypeError)', async () => {
    const path = model('int64', (b) => b.output(b.op('Cast', ['x'], { to: DataType.INT64 }, { output: 'logits' }), DataType.INT64, ['N', 4]));
    const r = await run(['predict', path, '--input', irisRows()]);
    expect(r.code).toBeGreaterThan(0);
    expect(r.err).toMatch(/ModelOutputError: .*output 'logits' is INT64 \[6, 4\], not float scores/);
    expect(r.err).not.toMatch(/BigInt|TypeError/);
  });

  it('writes well-formed .npy files: int64 class ids [N] and probabilities [N, classes] whose rows sum to 1', async () => {
    const path = join(root, 'mlp.onnx');
    saveModel(path, buildMlp({ sizes: [4, 8, 3], seed: 2 }));
    const classes = join(root, 'classes.npy');
    const probabilities = join(root, 'probabilities.npy');
    const r = await run(['predict', path, '--input', irisRows(), '--out', classes, '--probabilities', probabilities]);
    expect(r.code, r.err).toBe(0);
    const c = readNpy(classes);
    const p = readNpy(probabilities);
    expect([c.dataType, c.dims]).toEqual([DataType.INT64, [6]]);
    expect([p.dataType, p.dims]).toEqual([DataType.FLOAT, [6, 3]]);
    for (let i = 0; i < 6; i++) {
      const row = Array.from(p.data as Float32Array).slice(i * 3, i * 3 + 3);
      expect(row.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
      expect(Number((c.data as BigInt64Array)[i])).toBe(row.indexOf(Math.max(...row)));
    }
  });

  it('--out in a folder that cannot be created (/proc/self/nope) fails at once with a typed error instead of hanging', async () => {
    const path = join(root, 'mlp-proc.onnx');
    saveModel(path, buildMlp({ sizes: [4, 8, 3], seed: 2 }));
    const cli = spawnCli(['predict', path, '--input', irisRows(), '--out', '/proc/self/nope/c.npy']);
    const timer = setTimeout(cli.kill, 60_000);
    const code = await cli.done;
    clearTimeout(timer);
    expect(code, cli.stderr()).toBeGreaterThan(0);
    expect(cli.stderr()).toMatch(/FolderError: cannot create the folder '\/proc\/self\/nope': mkdir '\/proc\/self\/nope' failed \(ENOENT\)/);
  }, 90_000);
});

describe('anneal predict reads scores as the model defines them and feeds its input type', () => {
  /** x [N, 4] (of `inputType`) -> Cast to float -> Gemm to 3 classes, then `tail` (e.g. Softmax). */
  function classifier(name: string, inputType: DataType, tail?: 'Softmax', batch: number | string = 'N'): string {
    const b = new GraphBuilder({ opset: 17 });
    b.input('x', inputType, [batch, 4]);
    const w = b.initializer(tensors.float('w', [4, 3], Float32Array.from([0.5, -1, 0.2, 1, 0.3, -0.4, -0.7, 0.8, 0.1, 0.2, -0.2, 0.9])));
    const logits = b.op('Gemm', [b.op('Cast', ['x'], { to: DataType.FLOAT }), w]);
    b.output(tail ? b.op(tail, [logits], { axis: -1 }, { output: 'y' }) : b.op('Identity', [logits], {}, { output: 'y' }), DataType.FLOAT, [batch, 3]);
    const path = join(root, `${name}.onnx`);
    saveModel(path, b.build());
    return path;
  }

  it('a Softmax output is taken as probabilities (no second softmax); logits get one; float64 and float16 model inputs are fed converted', async () => {
    const read = async (model: string) => {
      const probs = join(root, `${model.replace(/\W/g, '_')}-p.npy`);
      const r = await run(['predict', model, '--input', irisRows(), '--top-k', '3', '--probabilities', probs]);
      expect(r.code, r.err).toBe(0);
      return { r, p: Array.from(readNpy(probs).data as Float32Array) };
    };
    const logits = await read(classifier('logits', DataType.FLOAT));
    const softmax = await read(classifier('softmax', DataType.FLOAT, 'Softmax'));
    expect(logits.r.err).toMatch(/softmax of the logits/);
    expect(softmax.r.err).toMatch(/probabilities as the model outputs them/);
    softmax.p.forEach((v, i) => expect(v).toBeCloseTo(logits.p[i]!, 6));
    expect(softmax.r.out.split('\n')[0]).toMatch(/^input\s+top-1\s+top-2\s+top-3$/);
    expect(softmax.r.out.split('\n')[1]).toMatch(/x\.npy\[0\]\s+class \d [\d.]+%\s+class \d [\d.]+%\s+class \d [\d.]+%$/);
    // the same rows through a float64 input and a float16 input (Iris values are exact in float16 to ~1e-3)
    (await read(classifier('double', DataType.DOUBLE))).p.forEach((v, i) => expect(v).toBeCloseTo(logits.p[i]!, 6));
    (await read(classifier('half', DataType.FLOAT16))).p.forEach((v, i) => expect(Math.abs(v - logits.p[i]!)).toBeLessThan(1e-2));
    // a fixed batch of 4: the 6 rows go as 4, then 2 padded to 4
    const fixed = await read(classifier('fixed-batch', DataType.FLOAT, undefined, 4));
    expect(fixed.p).toHaveLength(18);
    fixed.p.forEach((v, i) => expect(v).toBeCloseTo(logits.p[i]!, 6));
  });

  it('an integer model input is refused before anything runs, naming the input', async () => {
    const r = await run(['predict', classifier('int-input', DataType.INT64), '--input', irisRows()]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/int-input\.onnx: input 'x' is INT64; anneal predict feeds float inputs/);
  });
});

describe('predict and evaluate load external data beside the model, from any working directory', () => {
  /** A trained-shape Iris MLP saved with its weights in model.onnx.data beside it, in its own folder. */
  function withExternalData(folder: string, mutate?: (m: ModelProto) => void): string {
    mkdirSync(folder, { recursive: true });
    const m = buildMlp({ sizes: [4, 16, 3], seed: 5 });
    mutate?.(m);
    const path = join(folder, 'model.onnx');
    const saved = saveModel(path, m, { externalDataThreshold: 64 });
    expect(saved.externalTensors.length).toBeGreaterThan(0);
    return path;
  }

  it('predict (spawned from the repository root) and evaluate (in-process) read model.onnx.data from the model folder', async () => {
    const path = withExternalData(join(root, 'external'));
    expect(readdirSync(join(root, 'external')).sort()).toEqual(['model.onnx', 'model.onnx.data']);
    const cli = spawnCli(['predict', path, '--input', irisRows()]);
    expect(await cli.done, cli.stderr()).toBe(0);
    const inProcess = await run(['predict', path, '--input', irisRows()]);
    expect(inProcess.code, inProcess.err).toBe(0);
    expect(inProcess.out).toMatch(/^(\d ){5}\d$/);
    const config = join(root, 'iris.yaml');
    writeFileSync(config, 'name: iris\ndata: { source: { type: iris }, batchSize: 16 }\nmodel: { type: mlp, hidden: [16] }\noptimizer: { lr: 0.01 }\ntrain: { epochs: 1 }\n');
    const e = await run(['evaluate', path, '--config', config, '--top-k', '2']);
    expect(e.code, e.err).toBe(0);
    expect(e.out).toMatch(/model\.onnx on test \(30 examples\): loss [\d.]+, accuracy [\d.]+%, top-2 [\d.]+%/);
  }, 60_000);

  it('a model whose external data points outside its folder is refused, as the other commands refuse it', async () => {
    writeFileSync(join(root, 'outside.data'), new Uint8Array(4096));
    const path = withExternalData(join(root, 'escape'));
    const bytes = (await import('node:fs')).readFileSync(path);
    const { decodeModel, encodeModel } = await import('@anneal/onnx');
    const m = decodeModel(bytes, path);
    for (const t of m.graph.initializer) for (const e of t.externalData ?? []) if (e.key === 'location') e.value = '../outside.data';
    writeFileSync(path, encodeModel(m));
    const r = await run(['predict', path, '--input', irisRows()]);
    expect(r.code, r.err).toBeGreaterThan(0);
    expect(r.err).toMatch(/ExternalDataError: .*the location leaves the model's folder/);
  });
});
