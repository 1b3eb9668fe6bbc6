// `anneal predict` after `anneal finetune`: a real lp-ft run on the PyTorch-exported ResNet fixture
// over a PNG/JPEG folder, then predictions on new images, folders, run folders and .npy files of
// every float type, and the same model.onnx in onnxruntime-web (wasm, in Node).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpy, writeNpy } from '@anneal/data';
import { DataType, decodeModel, encodeModel, loadModel } from '@anneal/onnx';
import { inferenceMetadata, loadImageFiles } from '@anneal/transfer';
import { runCli as run } from '../run-cli.js';

const here = dirname(fileURLToPath(import.meta.url));
const resnet = join(here, '..', '..', '..', '..', 'packages', 'transfer', 'fixtures', 'torch', 'resnet-mini', 'model.onnx');
const root = mkdtempSync(join(tmpdir(), 'anneal-predict-images-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const RGB = { cool: [40, 60, 200], warm: [210, 70, 30] } as const;

/** A noisy 40x40 image of a class's colour; `i` varies the noise (the training images use 0..9). */
async function colourImage(file: string, cls: keyof typeof RGB, i: number): Promise<void> {
  const px = Buffer.alloc(40 * 40 * 3);
  for (let p = 0; p < 40 * 40; p++) for (let c = 0; c < 3; c++) px[p * 3 + c] = Math.max(0, Math.min(255, RGB[cls][c]! + Math.round(60 * Math.sin(p * 0.37 + i * 1.3 + c))));
  mkdirSync(dirname(file), { recursive: true });
  const img = sharp(px, { raw: { width: 40, height: 40, channels: 3 } });
  await (file.endsWith('.jpg') ? img.jpeg() : img.png()).toFile(file);
}

const runDir = join(root, 'run');
const fresh = join(root, 'new');
/** The new images, in the order predict lists the folder (sorted, recursively), with their true class. */
const truth: [string, keyof typeof RGB][] = [
  [join(fresh, 'a.png'), 'warm'],
  [join(fresh, 'b.jpg'), 'cool'],
  [join(fresh, 'more', 'c.png'), 'cool'],
  [join(fresh, 'more', 'd.jpg'), 'warm'],
];
const preprocess = { size: [32, 32], channels: 3, fit: 'fill', position: 'centre', background: 0, invert: false, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], layout: 'NCHW' };

beforeAll(async () => {
  for (const cls of ['cool', 'warm'] as const) for (let i = 0; i < 10; i++) await colourImage(join(root, 'images', cls, `${i}.${i % 2 ? 'jpg' : 'png'}`), cls, i);
  for (const [i, [file, cls]] of truth.entries()) await colourImage(file, cls, 100 + i);
  writeFileSync(join(fresh, 'notes.txt'), 'not an image: skipped');
  const config = join(root, 'lpft.yaml');
  writeFileSync(config, `
name: colours
mode: lp-ft
backbone: { path: ${JSON.stringify(resnet)} }
data:
  source: { kind: images, dir: ${JSON.stringify(join(root, 'images'))} }
  preprocess: { size: [32, 32], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }
  split: { test: 0.3, stratify: true }
  batchSize: 7
probe: { epochs: 10, lr: 0.05 }
freeze: { unfreezeTop: 3 }
optimizer: { type: adam, lr: 0.003 }
train: { epochs: 2, threads: 1 }
cache: { enabled: false }
`);
  const r = await run(['finetune', config, '--out', runDir, '--no-progress']);
  expect(r.code, r.err).toBe(0);
}, 120_000);

describe('inference metadata of a fine-tuned run', () => {
  it('summary.json and both exported models (probe and fine-tuned) carry the class names, the explicit preprocessing and the input name', () => {
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
    expect(summary.classes).toEqual(['cool', 'warm']);
    expect(summary.preprocess).toEqual(preprocess);
    for (const model of [join(runDir, 'probe', 'model.onnx'), join(runDir, 'finetune', 'model.onnx')]) {
      expect(inferenceMetadata(loadModel(model), model)).toEqual({ classes: ['cool', 'warm'], preprocess, input: 'x' });
    }
  });
});

describe('anneal predict on images', () => {
  it('a run folder and a folder of new images: top-k class names per image, the same in --out .json, .csv and --probabilities', async () => {
    const json = join(root, 'preds.json');
    const probs = join(root, 'probs.npy');
    const r = await run(['predict', runDir, '--input', fresh, '--top-k', '2', '--out', json, '--probabilities', probs]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/anneal predict: .*finetune\/model\.onnx, 2 classes \(cool, warm\); images 32x32 fill, RGB, mean 0\.485,0\.456,0\.406, std 0\.229,0\.224,0\.225 \(from the model's metadata\); 4 inputs, softmax of the logits/);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^input\s+top-1\s+top-2$/);
    expect(lines).toHaveLength(5);
    const saved = JSON.parse(readFileSync(json, 'utf8')) as { classes: string[]; preprocess: unknown; predictions: { source: string; name: string; class: number; probability: number; top: { name: string; probability: number }[] }[] };
    expect(saved.classes).toEqual(['cool', 'warm']);
    expect(saved.preprocess).toEqual(preprocess);
    expect(saved.predictions.map((p) => p.source)).toEqual(truth.map(([f]) => f));
    const p = readNpy(probs);
    expect([p.dataType, p.dims]).toEqual([DataType.FLOAT, [4, 2]]);
    saved.predictions.forEach((pred, i) => {
      const row = Array.from(p.data as Float32Array).slice(i * 2, i * 2 + 2);
      expect(row[0]! + row[1]!).toBeCloseTo(1, 5);
      expect(pred.probability).toBeCloseTo(Math.max(...row), 6);
      expect(pred.top.map((t) => t.name)).toEqual(row[0]! >= row[1]! ? ['cool', 'warm'] : ['warm', 'cool']);
      expect(lines[i + 1]).toMatch(new RegExp(`^${pred.source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+${pred.top[0]!.name} \\d+\\.\\d\\d%\\s+${pred.top[1]!.name} \\d+\\.\\d\\d%$`));
    });
    // the colours are easy: the fine-tuned model names every new image's class
    expect(saved.predictions.map((x) => x.name)).toEqual(truth.map(([, cls]) => cls));
    // single files and the model file itself give the same; CSV holds the same rows
    const csv = join(root, 'preds.csv');
    const single = await run(['predict', join(runDir, 'finetune', 'model.onnx'), truth[1]![0], truth[3]![0], '--out', csv]);
    expect(single.code, single.err).toBe(0);
    expect(readFileSync(csv, 'utf8').split('\n')[0]).toBe('source,class,name,probability,class_2,name_2,probability_2');
    expect(readFileSync(csv, 'utf8')).toContain(`${truth[1]![0]},0,cool,`);
  });

  it('the same model.onnx runs in onnxruntime-web (wasm) with the same probabilities as anneal predict (onnxruntime-node) within 1e-5', async () => {
    const modelPath = join(runDir, 'finetune', 'model.onnx');
    const probs = join(root, 'web-probs.npy');
    expect((await run(['predict', runDir, fresh, '--probabilities', probs])).code).toBe(0);
    const node = readNpy(probs).data as Float32Array;
    // what a page does: read classes and preprocessing from the model's own metadata, preprocess, run, softmax
    const bytes = readFileSync(modelPath);
    const meta = inferenceMetadata(decodeModel(bytes))!;
    const x = (await loadImageFiles(truth.map(([f]) => f), [0, 0, 0, 0], meta.preprocess!)).x;
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    const out = await session.run({ [meta.input!]: new ort.Tensor('float32', x.data as Float32Array, x.dims.map(Number)) });
    const logits = out[session.outputNames[0]!]!.data as Float32Array;
    await session.release();
    for (let i = 0; i < 4; i++) {
      const row = Array.from(logits.slice(i * 2, i * 2 + 2));
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const web = e.map((v) => v / (e[0]! + e[1]!));
      for (let c = 0; c < 2; c++) expect(Math.abs(web[c]! - node[i * 2 + c]!)).toBeLessThan(1e-5);
      expect(meta.classes![web[0]! >= web[1]! ? 0 : 1]).toBe(truth[i]![1]);
    }
  });

  it('.npy inputs of float64 (numpy default), float32 and float16 give the probabilities of the images they hold', async () => {
    const meta = inferenceMetadata(loadModel(join(runDir, 'finetune', 'model.onnx')))!;
    const x = (await loadImageFiles(truth.map(([f]) => f), [0, 0, 0, 0], meta.preprocess!)).x;
    const data = x.data as Float32Array;
    const images = join(root, 'images-probs.npy');
    expect((await run(['predict', runDir, fresh, '--probabilities', images])).code).toBe(0);
    const want = readNpy(images).data as Float32Array;
    const f64 = join(root, 'x64.npy');
    const f16 = join(root, 'x16.npy');
    writeNpy(join(root, 'x32.npy'), { dataType: DataType.FLOAT, dims: x.dims, data });
    writeNpy(f64, { dataType: DataType.DOUBLE, dims: x.dims, data: Float64Array.from(data) });
    writeFileSync(f16, float16Npy(data, x.dims.map(Number)));
    for (const [file, tolerance] of [[f64, 1e-6], [join(root, 'x32.npy'), 1e-6], [f16, 2e-2]] as const) {
      const probs = join(root, `p-${tolerance}-${file.slice(-7)}`);
      const r = await run(['predict', runDir, '--input', file, '--probabilities', probs]);
      expect(r.code, r.err).toBe(0);
      expect(r.out.split('\n')[1]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\[0\\]\\s+warm`));
      const got = readNpy(probs).data as Float32Array;
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `${file} [${i}]`).toBeLessThan(tolerance);
    }
  });
});

/** An .npy file of float16 ('<f2') values, written by hand (numpy's format 1.0). */
function float16Npy(values: Float32Array, dims: number[]): Uint8Array {
  const half = (v: number) => {
    const f = new Float32Array([v]);
    const b = new Uint32Array(f.buffer)[0]!;
    const sign = (b >>> 16) & 0x8000;
    const e = ((b >>> 23) & 0xff) - 127 + 15;
    if (e <= 0) return sign; // the inputs here are normalized pixels: no subnormals needed
    return sign | ((e << 10) + Math.round((b & 0x7fffff) / 0x2000)); // a rounding carry moves into the exponent
  };
  let header = `{'descr': '<f2', 'fortran_order': False, 'shape': (${dims.join(', ')}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + values.length * 2);
  out.set([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8], 0);
  out.set(Buffer.from(header, 'latin1'), 10);
  new Uint16Array(out.buffer, 10 + header.length).set(Uint16Array.from(values, half));
  return out;
}

describe('anneal predict refuses what it cannot do, with typed errors naming the input', () => {
  it('a folder with no images, a model without metadata given images (then --size makes it work), flags without --size, wrong .npy shapes and types', async () => {
    const empty = join(root, 'empty');
    mkdirSync(join(empty, 'sub'), { recursive: true });
    writeFileSync(join(empty, 'sub', 'readme.md'), '#');
    const noImages = await run(['predict', runDir, '--input', empty]);
    expect(noImages.code).toBe(2);
    expect(noImages.err).toMatch(/ConfigError: .*empty: no images in this folder or below it \(looked for \.png, \.jpg/);
    // the model alone, its metadata removed, in a folder that is not a run
    const bare = join(root, 'bare', 'model.onnx');
    mkdirSync(dirname(bare), { recursive: true });
    const m = decodeModel(readFileSync(join(runDir, 'finetune', 'model.onnx')));
    m.metadataProps = [];
    writeFileSync(bare, encodeModel(m));
    const refused = await run(['predict', bare, fresh]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/ConfigError: .*bare\/model\.onnx carries no image preprocessing \(no 'anneal\.inference' metadata\), so images cannot become its input 'x' \[.+, 3, 32, 32\]; give the preprocessing \(--size HxW/);
    const hinted = await run(['predict', bare, fresh, '--size', '32x32', '--mean', '0.485,0.456,0.406', '--std', '0.229,0.224,0.225', '--top-k', '1']);
    expect(hinted.code, hinted.err).toBe(0);
    expect(hinted.err).toMatch(/no class names; images 32x32 fill.*\(from the options\)/);
    expect(hinted.out.split('\n').slice(1).map((l) => l.split(/\s{2,}/)[1]!.replace(/ [\d.]+%$/, ''))).toEqual(truth.map(([, cls]) => (cls === 'cool' ? 'class 0' : 'class 1')));
    const flags = await run(['predict', bare, fresh, '--mean', '0.5']);
    expect(flags.code).toBe(2);
    expect(flags.err).toMatch(/--mean needs --size/);
    const wrongSize = await run(['predict', bare, fresh, '--size', '28x28']);
    expect(wrongSize.code).toBeGreaterThan(0);
    expect(wrongSize.err).toMatch(/InputLayoutError: .*input 'x'/);
    const rank = join(root, 'rank.npy');
    writeNpy(rank, { dataType: DataType.FLOAT, dims: [2, 3, 16, 16], data: new Float32Array(2 * 3 * 16 * 16) });
    const badShape = await run(['predict', runDir, rank]);
    expect(badShape.code).toBe(2);
    expect(badShape.err).toMatch(/rank\.npy: rows of dims \[3, 16, 16\] do not fit .*model\.onnx's input 'x' \[.+, 3, 32, 32\]; save the inputs as \[N, 3, 32, 32\]/);
    const ints = join(root, 'ints.npy');
    writeNpy(ints, { dataType: DataType.INT32, dims: [1, 3, 32, 32], data: new Int32Array(3 * 32 * 32) });
    const badType = await run(['predict', runDir, ints]);
    expect(badType.code).toBe(2);
    expect(badType.err).toMatch(/ints\.npy: inputs must be float \(float32, float64 or float16\), got INT32/);
    const text = join(root, 'x.txt');
    copyFileSync(join(fresh, 'notes.txt'), text);
    expect((await run(['predict', runDir, text])).err).toMatch(/x\.txt: not an image .*, a folder of images or an \.npy file/);
    const badOut = await run(['predict', runDir, fresh, '--out', join(root, 'p.xlsx')]);
    expect(badOut.err).toMatch(/--out .*p\.xlsx: write predictions to a \.csv or \.json file/);
  });
});
