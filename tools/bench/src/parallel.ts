// `npm run bench parallel`: data-parallel training throughput (examples/s) of Anneal's
// TrainSession with `parallel: { workers, accumulate }` against its own one-session step (1 and 2
// ORT threads) and against PyTorch (1 and 2 threads in one process, and DistributedDataParallel
// over 2 gloo processes with 1 thread each), on the same model shapes and batch, synthetic data.
// Prints one line per configuration and the scaling efficiency
//   efficiency(W) = throughput(W workers) / (W x throughput(1 worker)).
// PAR_ROUNDS (default 3) sets the rounds (median taken), PAR_STEPS the timed steps per run.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '@anneal/data';
import { buildCnn, buildMlp, TrainSession, type ParallelOptions } from '@anneal/engine';
import { DataType, type ModelProto, type TensorValue } from '@anneal/onnx';
import { sgd } from '@anneal/optim';
import { torchUnavailable } from './torch-side.js';

const rounds = Number(process.env.PAR_ROUNDS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'python', 'ddp_side.py');

interface Workload {
  name: 'mlp' | 'cnn';
  describe: string;
  model: () => ModelProto;
  batch: number;
  steps: number;
  shape: number[];
}

const workloads: Workload[] = [
  { name: 'mlp', describe: 'MLP 784-256-256-10, batch 512', model: () => buildMlp({ sizes: [784, 256, 256, 10], seed: 0 }), batch: 512, steps: Number(process.env.PAR_STEPS ?? 40), shape: [784] },
  { name: 'cnn', describe: 'CNN conv16-conv32-fc64, batch 256', model: () => buildCnn({ channels: [16, 32], hidden: [64], seed: 0 }), batch: 256, steps: Number(process.env.PAR_STEPS ?? 12), shape: [1, 28, 28] },
];

function batchOf(w: Workload): Record<string, TensorValue> {
  const rand = seededRandom(0);
  const size = w.shape.reduce((a, b) => a * b, 1);
  return {
    x: { dataType: DataType.FLOAT, dims: [w.batch, ...w.shape], data: Float32Array.from({ length: w.batch * size }, () => rand()) },
    labels: { dataType: DataType.INT64, dims: [w.batch], data: BigInt64Array.from({ length: w.batch }, () => BigInt(Math.floor(rand() * 10))) },
  };
}

async function annealSeconds(w: Workload, threads: number, parallel?: ParallelOptions): Promise<number> {
  const batch = batchOf(w);
  const s = await TrainSession.create({ model: w.model(), loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd({ momentum: 0.9 }), lr: 0.01 }, sample: batch, intraOpThreads: threads, parallel });
  try {
    for (let i = 0; i < 3; i++) await s.step(batch); // warm-up: arenas, worker sessions
    const t = performance.now();
    for (let i = 0; i < w.steps; i++) await s.step(batch);
    return (performance.now() - t) / 1000;
  } finally {
    await s.release();
  }
}

function torchSeconds(w: Workload, mode: string): number {
  const r = spawnSync('/usr/bin/python3', [script, w.name, String(w.batch), String(w.steps), mode], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } });
  if (r.status !== 0) throw new Error(`ddp_side.py ${mode} failed: ${r.stderr}`);
  return (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { seconds: number }).seconds;
}

interface Row {
  label: string;
  workers: number;
  examplesPerSecond: number;
}

export async function runParallelBench(): Promise<void> {
  const torch = torchUnavailable();
  console.log(`data-parallel throughput, ${rounds} rounds (median), 2 cores: W workers share them, so efficiency here is bounded by the machine, not the algorithm`);
  if (torch) console.log(`PyTorch side skipped: ${torch}`);
  for (const w of workloads) {
    const configs: { label: string; workers: number; run: () => Promise<number> | number }[] = [
      { label: 'anneal one session, 1 thread', workers: 1, run: () => annealSeconds(w, 1) },
      { label: 'anneal one session, 2 threads', workers: 1, run: () => annealSeconds(w, 2) },
      { label: 'anneal parallel, 1 worker x 2 micro-batches', workers: 1, run: () => annealSeconds(w, 1, { accumulate: 2 }) },
      { label: 'anneal parallel, 2 workers', workers: 2, run: () => annealSeconds(w, 1, { workers: 2 }) },
      { label: 'anneal parallel, 2 workers x 2 micro-batches', workers: 2, run: () => annealSeconds(w, 1, { workers: 2, accumulate: 2 }) },
      ...(!torch
        ? [
            { label: 'torch one process, 1 thread', workers: 1, run: () => torchSeconds(w, 'single1') },
            { label: 'torch one process, 2 threads', workers: 1, run: () => torchSeconds(w, 'single2') },
            { label: 'torch DDP, 2 processes (gloo)', workers: 2, run: () => torchSeconds(w, 'ddp2') },
          ]
        : []),
    ];
    const times = configs.map(() => [] as number[]);
    // rounds alternate the configurations, so machine noise spreads over all of them
    for (let r = 0; r < rounds; r++) for (let i = 0; i < configs.length; i++) times[i]!.push(await configs[i]!.run());
    const rows: Row[] = configs.map((c, i) => ({ label: c.label, workers: c.workers, examplesPerSecond: (w.batch * w.steps) / median(times[i]!) }));
    console.log(`\n${w.describe}, ${w.steps} steps per run`);
    const base = rows[0]!.examplesPerSecond;
    for (const r of rows) console.log(`  ${r.label.padEnd(46)} ${Math.round(r.examplesPerSecond).toString().padStart(7)} examples/s  x${(r.examplesPerSecond / base).toFixed(2)} vs anneal 1 thread`);
    const eff = (w2: string, w1: string) => {
      const a = rows.find((r) => r.label === w2);
      const b = rows.find((r) => r.label === w1);
      return a && b ? `${((a.examplesPerSecond / (2 * b.examplesPerSecond)) * 100).toFixed(0)}%` : '-';
    };
    console.log(`  scaling efficiency at 2 workers: anneal ${eff('anneal parallel, 2 workers', 'anneal one session, 1 thread')} (vs the 1-thread session), torch DDP ${eff('torch DDP, 2 processes (gloo)', 'torch one process, 1 thread')} (vs 1 thread)`);
  }
}
