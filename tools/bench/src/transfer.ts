// `npm run bench transfer`: transfer-learning costs on the PaddleOCR text-direction classifier
// (MobileNetV3, 3x48x192, 2 threads), BENCH_ROUNDS rounds (default 3), medians printed.
// - F64 / F16: feature extraction throughput at batch 64 and 16: Anneal's extractFeatures (the
//   prepared backbone: Constant weights promoted, opset 9 -> 17, cut at the 200-d feature) vs a
//   plain onnxruntime-node InferenceSession on the untouched model file (opset 9 as shipped) cut
//   at the same tensor with cutModel. Both run a fresh session over the same images per round
//   (session creation untimed, the first, cold batch timed, as in one extraction job).
// - H1: a linear head 200 -> 10 on 2,000 cached feature vectors (MNIST digits as text lines),
//   Adam, batch 64, 20 epochs: Anneal's TrainSession.stepMany (K=16 steps per run) vs PyTorch
//   with the same data, order and initial weights.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadMnist, writeNpy, type ArrayDataset } from '@anneal/data';
import { TrainSession, type StackedBatches } from '@anneal/engine';
import { cutModel, DataType, encodeModel, loadModel, tensorToValue, type TensorValue } from '@anneal/onnx';
import { adam } from '@anneal/optim';
import { ocrModels } from '@anneal/testing';
import { buildHead, describePreprocess, extractFeatures, loadBackbone, preprocessDataset, type Backbone, type ImagePreprocess } from '@anneal/transfer';
import { torchUnavailable } from './torch-side.js';
import { epochGroups } from './epoch-groups.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const threads = 2;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** MNIST digits as PaddleOCR text lines (as examples/transfer/paddle-probe.yaml). */
const PREPROCESS: ImagePreprocess = { size: [48, 192], channels: 3, fit: 'contain', position: 'left', background: 0, invert: true, mean: [0.5], std: [0.5] };
const HEAD = { epochs: 20, batch: 64, lr: 1e-2, stepsPerRun: 16 };

/** Images [from, to) of a preprocessed dataset as a dataset view (no copy). */
function rowsOf(ds: ArrayDataset, count: number): ArrayDataset {
  const size = ds.x.dims.slice(1).reduce((a, d) => a * d, 1);
  return {
    x: { dataType: DataType.FLOAT, dims: [count, ...ds.x.dims.slice(1)], data: (ds.x.data as Float32Array).subarray(0, count * size) },
    y: { dataType: DataType.INT64, dims: [count], data: (ds.y.data as BigInt64Array).subarray(0, count) },
  };
}

/** The peer: plain ORT on the original opset-9 file cut at the same tensor; returns seconds and the features. */
async function peerExtract(bytes: Uint8Array, input: string, output: string, images: ArrayDataset, batch: number): Promise<{ seconds: number; features: Float32Array }> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads });
  const n = images.x.dims[0]!;
  const per = images.x.dims.slice(1);
  const size = per.reduce((a, d) => a * d, 1);
  const src = images.x.data as Float32Array;
  const chunks: Float32Array[] = [];
  const t = performance.now();
  for (let from = 0; from < n; from += batch) {
    const count = Math.min(batch, n - from);
    const feeds = { [input]: new ort.Tensor('float32', src.subarray(from * size, (from + count) * size), [count, ...per]) };
    const out = await session.run(feeds, [output]);
    chunks.push(Float32Array.from(out[output]!.data as Float32Array));
  }
  const seconds = (performance.now() - t) / 1000;
  await session.release();
  const features = new Float32Array(chunks.reduce((a, c) => a + c.length, 0));
  chunks.reduce((offset, c) => (features.set(c, offset), offset + c.length), 0);
  return { seconds, features };
}

async function extractionBench(backbone: Backbone, images: ArrayDataset): Promise<void> {
  const original = loadModel(ocrModels.classifier);
  const opset = original.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx')?.version;
  const peerBytes = encodeModel(cutModel(original, backbone.cutAt));
  const n = images.x.dims[0]!;
  for (const batch of [64, 16]) {
    const a: number[] = [];
    const p: number[] = [];
    let maxDiff = 0;
    for (let r = 0; r < rounds; r++) {
      const ours = await extractFeatures(backbone, images, { batchSize: batch, threads });
      a.push(n / ours.examplesPerSecond);
      const peer = await peerExtract(peerBytes, backbone.input.name, backbone.cutAt, images, batch);
      p.push(peer.seconds);
      const x = ours.dataset.x.data as Float32Array;
      for (let i = 0; i < x.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x[i]! - peer.features[i]!));
    }
    const [am, pm] = [median(a), median(p)];
    console.log(
      `F${batch} feature extraction, batch ${batch}, ${n} images 3x48x192 -> ${backbone.featureDim}-d: ` +
        `anneal extractFeatures ${am.toFixed(3)} s (${(n / am).toFixed(0)} images/s) | ` +
        `onnxruntime-node on the original file (opset ${opset}) ${pm.toFixed(3)} s (${(n / pm).toFixed(0)} images/s) | ratio ${(am / pm).toFixed(2)} | max |diff| ${maxDiff.toExponential(1)}`,
    );
  }
}


const isStacked = (g: StackedBatches | Record<string, TensorValue>): g is StackedBatches => 'stacked' in g;

async function annealHead(features: ArrayDataset): Promise<{ seconds: number[]; threads: number; loss: number }> {
  const groups = epochGroups(features.x, features.y, HEAD.batch, HEAD.stepsPerRun, 'features');
  const seconds: number[] = [];
  let used = 0;
  let loss = NaN;
  for (let r = 0; r < rounds; r++) {
    const s = await TrainSession.create({
      model: buildHead({ inputDim: features.x.dims[1]!, classes: 10, seed: 0 }),
      loss: { kind: 'cross-entropy' },
      optimizer: { optimizer: adam(), lr: HEAD.lr },
      sample: { features: { ...features.x, dims: [2, features.x.dims[1]!], data: (features.x.data as Float32Array).subarray(0, 2 * features.x.dims[1]!) }, labels: { ...features.y, dims: [2], data: (features.y.data as BigInt64Array).subarray(0, 2) } },
      intraOpThreads: 'auto',
      maxThreads: threads,
    });
    await s.prepareStepMany();
    used = s.loopThreads ?? s.intraOpThreads;
    // warm-up outside the timed region (the first runs allocate ORT's arenas; the PyTorch process is warm too):
    // one run of each graph an epoch uses, then back to the initial weights and step 0, so both sides train identically
    const initial = await s.stateValues();
    for (const g of [groups[0]!, groups[groups.length - 1]!]) await (isStacked(g) ? s.stepMany(g) : s.step(g));
    await s.restoreState(initial, 0);
    const t = performance.now();
    for (let e = 0; e < HEAD.epochs; e++) {
      for (const g of groups) {
        if (isStacked(g)) loss = (await s.stepMany(g)).losses.at(-1)!;
        else loss = (await s.step(g)).loss;
      }
    }
    seconds.push((performance.now() - t) / 1000);
    await s.release();
  }
  return { seconds, threads: used, loss };
}

/** The PyTorch side of H1: same features, labels, order, initial weights and optimizer; prints one JSON line. */
const TORCH_HEAD = `
import json, sys, time, numpy as np, torch
torch.set_num_threads(2); torch.set_num_interop_threads(1)
d = sys.argv[1]; cfg = json.load(open(d + '/config.json'))
x = torch.from_numpy(np.load(d + '/features.npy')); y = torch.from_numpy(np.load(d + '/labels.npy'))
w0 = torch.from_numpy(np.load(d + '/w.npy')); b0 = torch.from_numpy(np.load(d + '/b.npy'))
def run(epochs):
    w = torch.nn.Parameter(w0.clone()); b = torch.nn.Parameter(b0.clone())
    opt = torch.optim.Adam([w, b], lr=cfg['lr']); bs = cfg['batch']; n = x.shape[0]
    t = time.perf_counter()
    for _ in range(epochs):
        for s in range(0, n, bs):
            loss = torch.nn.functional.cross_entropy(x[s:s + bs] @ w + b, y[s:s + bs])
            opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    return time.perf_counter() - t, float(loss)
run(1)
times = [run(cfg['epochs']) for _ in range(cfg['rounds'])]
print(json.dumps({'torch': torch.__version__, 'seconds': [s for s, _ in times], 'loss': times[-1][1]}))
`;

function torchHead(features: ArrayDataset): { seconds: number[]; torch: string; loss: number } | string {
  const why = torchUnavailable();
  if (why) return why;
  const dir = mkdtempSync(join(tmpdir(), 'anneal-bench-transfer-'));
  try {
    const head = buildHead({ inputDim: features.x.dims[1]!, classes: 10, seed: 0 });
    const tensor = (name: string): TensorValue => tensorToValue(head.graph.initializer.find((t) => t.name === name)!);
    writeNpy(join(dir, 'features.npy'), features.x);
    writeNpy(join(dir, 'labels.npy'), features.y);
    writeNpy(join(dir, 'w.npy'), tensor('head.fc0.weight'));
    writeNpy(join(dir, 'b.npy'), tensor('head.fc0.bias'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ lr: HEAD.lr, batch: HEAD.batch, epochs: HEAD.epochs, rounds }));
    const env = { ...process.env, OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
    const r = spawnSync('/usr/bin/python3', ['-c', TORCH_HEAD, dir], { encoding: 'utf8', env });
    if (r.status !== 0) return `the PyTorch side failed: ${r.stderr.trim().split('\n').at(-1)}`;
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { seconds: number[]; torch: string; loss: number };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs F64, F16 and H1 and prints one line each. */
export async function runTransferBench(): Promise<void> {
  const backbone = loadBackbone(ocrModels.classifier);
  console.log(`transfer bench: PaddleOCR classifier cut at '${backbone.cutAt}' (${backbone.featureDim}-d), ${threads} threads, ${rounds} rounds (medians)`);
  let t = performance.now();
  const digits = loadMnist({ perDigit: 200, image: true });
  const images = await preprocessDataset(digits, PREPROCESS);
  console.log(`preprocessed ${images.x.dims[0]} MNIST digits to 3x48x192 with sharp in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  await extractionBench(backbone, rowsOf(images, 512));

  t = performance.now();
  const cached = await extractFeatures(backbone, images, { cache: '.anneal/features', preprocess: describePreprocess(PREPROCESS), threads });
  console.log(`2,000 feature vectors ${cached.fromCache ? `from the cache (${cached.path})` : `extracted in ${cached.seconds.toFixed(1)} s and cached at ${cached.path}`}`);
  const features = cached.dataset;
  const steps = HEAD.epochs * Math.ceil(features.x.dims[0]! / HEAD.batch);
  const ours = await annealHead(features);
  const am = median(ours.seconds);
  const title = `H1 linear head ${features.x.dims[1]}->10 on ${features.x.dims[0]} cached features, Adam, batch ${HEAD.batch}, ${HEAD.epochs} epochs (${steps} steps), K=${HEAD.stepsPerRun} steps/run`;
  const line = `${title}: anneal ${am.toFixed(3)} s (${(steps / am).toFixed(0)} steps/s, ${ours.threads} thread${ours.threads > 1 ? 's' : ''}, last loss ${ours.loss.toFixed(4)})`;
  const torch = torchHead(features);
  if (typeof torch === 'string') {
    console.log(`${line} | pytorch: unavailable (${torch})`);
  } else {
    const pm = median(torch.seconds);
    console.log(`${line} | pytorch ${torch.torch} ${pm.toFixed(3)} s (${(steps / pm).toFixed(0)} steps/s, last loss ${torch.loss.toFixed(4)}) | ratio ${(am / pm).toFixed(2)}`);
  }
}
