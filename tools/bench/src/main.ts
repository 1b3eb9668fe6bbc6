// `npm run bench`: Anneal vs PyTorch on the same arithmetic, data and initial weights (2 threads each),
// runs alternated; prints medians and the ratio Anneal time / PyTorch time per workload.
// BENCH_ROUNDS (default 3) sets the rounds, BENCH_K (default 16) the steps per run of W1/W2.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeNpy } from '@anneal/data';
import { TrainSession, unstackBatch, type StackedBatches } from '@anneal/engine';
import { adam, sgd } from '@anneal/optim';
import { createSession } from '@anneal/runtime';
import type { TensorValue } from '@anneal/onnx';
import { cnnModel, headModel, makeBenchData, type BenchData } from './workloads.js';
import { epochGroups } from './epoch-groups.js';
import { TorchSide, torchUnavailable } from './torch-side.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const only = process.argv.slice(2).filter((a) => /^W\d$/.test(a));

/** Intra-op threads each Anneal workload ended up with (printed in its line). */
const threadsUsed: Record<string, number> = {};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

type Runner = () => Promise<number>;

/**
 * Optimizer steps per `session.run` for W1/W2 (TrainSession.stepMany: an ONNX Loop over stacked
 * batches); 1 = one run per step. 16 measured about as fast as 32 and clearly faster than 4-8.
 */
const stepsPerRun = Math.max(1, Math.floor(Number(process.env.BENCH_K ?? 16)) || 16);


async function headRunner(data: BenchData, which: 'w1' | 'w2'): Promise<Runner> {
  const cfg = data.config[which];
  const groups = epochGroups(data.features, data.labels, cfg.batch, stepsPerRun, 'x');
  return async () => {
    const s = await TrainSession.create({
      model: headModel(data, which),
      loss: { kind: 'cross-entropy' },
      optimizer: which === 'w1' ? { optimizer: sgd({ momentum: 0.9 }), lr: cfg.lr } : { optimizer: adam(), lr: cfg.lr },
      sample: 'stacked' in groups[0]! ? unstackBatch(groups[0] as StackedBatches, 0) : (groups[0] as Record<string, TensorValue>),
      intraOpThreads: 'auto', // the faster of 1 and 2 threads for this graph: at most PyTorch's 2
      maxThreads: 2,
    });
    if (stepsPerRun > 1) await s.prepareStepMany(); // compiling the loop graph, like compiling the step in create(), is not timed
    threadsUsed[which] = s.loopThreads ?? s.intraOpThreads;
    // warm-up outside the timed region (first runs allocate ORT's arenas; PyTorch's process is warm too):
    // one run of each graph the epochs use, then the timed epochs do exactly the PyTorch side's work
    for (const g of [groups[0]!, groups[groups.length - 1]!]) await ('stacked' in g ? s.stepMany(g as StackedBatches) : s.step(g));
    const t = performance.now();
    for (let e = 0; e < cfg.epochs; e++) for (const g of groups) await ('stacked' in g ? s.stepMany(g as StackedBatches) : s.step(g));
    const seconds = (performance.now() - t) / 1000;
    await s.release();
    return seconds;
  };
}

async function cnnTrainRunner(data: BenchData): Promise<Runner> {
  const batch = { x: data.cnnX, labels: data.cnnY };
  return async () => {
    const s = await TrainSession.create({ model: cnnModel(data), loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd(), lr: data.config.w3.lr }, sample: batch, intraOpThreads: 'auto', maxThreads: 2 });
    threadsUsed.w3 = s.intraOpThreads;
    await s.step(batch); // warm-up (PyTorch's first step is also inside its timing loop; one step of 30)
    const t = performance.now();
    for (let i = 0; i < data.config.w3.steps; i++) await s.step(batch);
    const seconds = (performance.now() - t) / 1000;
    await s.release();
    return seconds;
  };
}

async function cnnInferRunner(data: BenchData): Promise<Runner> {
  const session = await createSession(cnnModel(data), { device: 'cpu', intraOpThreads: 2 });
  await session.run({ x: data.cnnEvalX });
  return async () => {
    const t = performance.now();
    for (let i = 0; i < data.config.w4.runs; i++) await session.run({ x: data.cnnEvalX });
    return (performance.now() - t) / 1000;
  };
}

async function main(): Promise<void> {
  const data = makeBenchData();
  const dir = mkdtempSync(join(tmpdir(), 'anneal-bench-'));
  writeNpy(join(dir, 'features.npy'), data.features);
  writeNpy(join(dir, 'labels.npy'), data.labels);
  writeNpy(join(dir, 'cnn_x.npy'), data.cnnX);
  writeNpy(join(dir, 'cnn_y.npy'), data.cnnY);
  writeNpy(join(dir, 'cnn_eval_x.npy'), data.cnnEvalX);
  for (const [k, v] of Object.entries(data.weights)) writeNpy(join(dir, `${k}.npy`), v);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(data.config));

  const why = torchUnavailable();
  const torch = why ? undefined : await TorchSide.start(dir);
  console.log(torch ? `PyTorch ${torch.info.torch} with ${torch.info.threads} threads` : `PyTorch side skipped: ${why}`);

  const workloads: [string, string, () => Promise<Runner>, (s: number) => string][] = [
    ['W1', `linear head 512->10, SGD momentum, batch 128, 10 epochs of 10,000, K=${stepsPerRun} steps/run`, () => headRunner(data, 'w1'), (s) => `${((79 * 10) / s).toFixed(0)} steps/s`],
    ['W2', `MLP 512->1024->10 ReLU, Adam, batch 256, 2 epochs, K=${stepsPerRun} steps/run`, () => headRunner(data, 'w2'), (s) => `${((40 * 2) / s).toFixed(0)} steps/s`],
    ['W3', 'CNN training step, batch 64, SGD, 30 steps', () => cnnTrainRunner(data), (s) => `${((30 * 1000) / (s * 1000)).toFixed(1)} steps/s, ${((s * 1000) / 30).toFixed(2)} ms/step`],
    ['W4', 'CNN inference, batch 256, 20 runs', () => cnnInferRunner(data), (s) => `${((256 * 20) / s).toFixed(0)} images/s`],
  ];
  const ratios: Record<string, string> = {};
  for (const [id, title, make, rate] of workloads) {
    if (only.length && !only.includes(id)) continue;
    const run = await make();
    const a: number[] = [];
    const p: number[] = [];
    for (let r = 0; r < rounds; r++) {
      a.push(await run());
      if (torch) p.push(await torch.side.run(id));
    }
    const am = median(a);
    const threads = threadsUsed[id.toLowerCase()];
    const line = `${id} ${title}: anneal ${am.toFixed(3)} s (${rate(am)}${threads ? `, ${threads} thread${threads > 1 ? 's' : ''}` : ''})`;
    if (torch) {
      const pm = median(p);
      ratios[id] = (am / pm).toFixed(2);
      console.log(`${line} | pytorch ${pm.toFixed(3)} s (${rate(pm)}) | ratio ${ratios[id]}`);
    } else {
      ratios[id] = 'n/a';
      console.log(line);
    }
  }
  torch?.side.stop();
  console.log(`bench: ${Object.entries(ratios).map(([k, v]) => `${k}=${v}`).join(' ')}`);
}

// `npm run bench transfer`: the transfer-learning bench (tools/bench/src/transfer.ts) instead of W1-W4
// `npm run bench search`: study machinery overhead and TPE quality vs Optuna (tools/bench/src/search.ts)
if (process.argv.slice(2).includes('transfer')) await (await import('./transfer.js')).runTransferBench();
// `npm run bench search-quality [--quick]`: sampler quality on standard functions vs Optuna (tools/bench/src/search-quality.ts)
// `npm run bench tpe-variants`: TPE's options one at a time on the same functions (tools/bench/src/tpe-variants.ts)
else if (process.argv.slice(2).includes('tpe-variants')) (await import('./tpe-variants.js')).runTpeVariants();
else if (process.argv.slice(2).includes('search-quality')) await (await import('./search-quality.js')).runSearchQualityBench();
else if (process.argv.slice(2).includes('search')) await (await import('./search.js')).runSearchBench();
// `npm run bench parallel`: data-parallel throughput and scaling efficiency vs PyTorch DDP (tools/bench/src/parallel.ts)
else if (process.argv.slice(2).includes('parallel')) await (await import('./parallel.js')).runParallelBench();
// `npm run bench vision [W5 ... W9]`: fine-tuning torchvision architectures vs PyTorch (tools/bench/src/vision.ts)
// `npm run bench augment`: augmentation loader throughput vs a training step's consumption (tools/bench/src/augment.ts)
else if (process.argv.slice(2).includes('augment')) await (await import('./augment.js')).runAugmentBench();
else if (process.argv.slice(2).includes('vision')) await (await import('./vision.js')).runVisionBench(process.argv.slice(2).filter((a) => /^W\d$/.test(a)));
else await main();
