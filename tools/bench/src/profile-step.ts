// Per-op profile of a bench workload's compiled graph on onnxruntime-node (CPU, 2 intra-op threads).
// Runs the graph with ORT's profiler on, drops the warm-up runs, and reports kernel time per op type
// (and per node): the median over the profiled runs of each run's sum, so a busy machine skews it less.
// Run: node --import ./tools/setup/source-mode.mjs tools/bench/src/profile-step.ts [W1..W9] [--runs 20] [--warmup 3] [--nodes 15] [--threads 2]
//   W1-W3, W5-W9: the train step (forward + loss + backward + update) as TrainSession runs it (without
//   the norm outputs); W4: CNN inference. W5-W9 use the vision bench's models and batch (vision.ts).
//   --nodes k also lists the k slowest individual nodes.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { batches, seededRandom } from '@anneal/data';
import { prepareModel, TrainSession, withoutStats } from '@anneal/engine';
import { DataType, encodeModel, tensorToValue, type ModelProto, type TensorValue } from '@anneal/onnx';
import { adam, sgd } from '@anneal/optim';
import { toOrtTensor } from '@anneal/runtime';
import { cnnModel, headModel, makeBenchData, type BenchData } from './workloads.js';
import { ensureVisionModel } from './vision-models.js';
import { VISION_WORKLOADS, visionSession, type VisionWorkload } from './vision-session.js';

interface ProfileEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args?: { op_name?: string; provider?: string; input_type_shape?: Record<string, number[]>[]; output_type_shape?: Record<string, number[]>[] };
}

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const workload = process.argv.slice(2).find((a) => /^W\d$/.test(a)) ?? 'W3';
const runs = option('runs', 20);
const warmup = option('warmup', 3);
const nodeRows = option('nodes', 0);
const threads = option('threads', 2);

/** The graph to profile and its feeds (parameters, zero optimizer state, default hyperparameters, one batch). */
async function workloadGraph(data: BenchData, id: string): Promise<{ model: ModelProto; feeds: Record<string, TensorValue> }> {
  if (id === 'W4') return { model: cnnModel(data), feeds: { x: data.cnnEvalX } };
  let session: TrainSession;
  let batch: Record<string, TensorValue>;
  if (id in VISION_WORKLOADS) {
    const rand = seededRandom(2024);
    batch = {
      x: { dataType: DataType.FLOAT, dims: [16, 3, 224, 224], data: Float32Array.from({ length: 16 * 3 * 224 * 224 }, () => rand() * 4 - 2) },
      labels: { dataType: DataType.INT64, dims: [16], data: BigInt64Array.from({ length: 16 }, () => BigInt(Math.floor(rand() * 10))) },
    };
    session = await visionSession(id, prepareModel(ensureVisionModel(VISION_WORKLOADS[id as VisionWorkload].model)).model, batch);
  } else if (id === 'W3') {
    batch = { x: data.cnnX, labels: data.cnnY };
    session = await TrainSession.create({ model: cnnModel(data), loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd(), lr: data.config.w3.lr }, sample: batch, intraOpThreads: threads });
  } else {
    const which = id === 'W1' ? 'w1' : 'w2';
    const first = batches({ x: data.features, y: data.labels }, { batchSize: data.config[which].batch }).next().value!;
    batch = { x: first.x, labels: first.y };
    const optimizer = which === 'w1' ? { optimizer: sgd({ momentum: 0.9 }), lr: data.config.w1.lr } : { optimizer: adam(), lr: data.config.w2.lr };
    session = await TrainSession.create({ model: headModel(data, which), loss: { kind: 'cross-entropy' }, optimizer, sample: batch, intraOpThreads: threads });
  }
  const step = session.trainStep;
  await session.release();
  const feeds: Record<string, TensorValue> = { ...batch };
  for (const p of step.params) feeds[p] = tensorToValue(step.initialParams[p]!);
  for (const [name, dims] of Object.entries(step.stateShapes)) {
    feeds[name] = { dataType: DataType.FLOAT, dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) };
  }
  for (const r of step.runningStats) feeds[r.input] = tensorToValue(r.initial);
  for (const [name, v] of Object.entries(step.hyperparameters)) feeds[name] = { dataType: DataType.FLOAT, dims: [], data: Float32Array.of(v) };
  return { model: withoutStats(step), feeds };
}

async function main(): Promise<void> {
  const { model, feeds } = await workloadGraph(makeBenchData(), workload);
  const dir = mkdtempSync(join(tmpdir(), 'anneal-profile-'));
  const session = await ort.InferenceSession.create(encodeModel(model), {
    intraOpNumThreads: threads,
    executionProviders: ['cpu'],
    enableProfiling: true,
    profileFilePrefix: join(dir, 'step'),
  });
  const inputs = new Set(session.inputNames);
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) if (inputs.has(k)) ortFeeds[k] = toOrtTensor(v, k) as ort.Tensor;
  const wall: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const t = performance.now();
    await session.run(ortFeeds);
    if (i >= warmup) wall.push(performance.now() - t);
  }
  session.endProfiling();
  await session.release();
  const file = readdirSync(dir).find((f) => f.endsWith('.json'));
  if (!file) throw new Error(`ORT wrote no profile into ${dir}`);
  const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProfileEvent[];
  rmSync(dir, { recursive: true, force: true });

  // kernel events grouped by measured run (warm-up runs dropped); per op type and node: the median over runs
  const runEvents = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').sort((a, b) => a.ts - b.ts).slice(warmup);
  const kernels = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  const perRun = runEvents.map((run) => kernels.filter((e) => e.ts >= run.ts && e.ts <= run.ts + run.dur));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const byOp = new Map<string, number[]>();
  const byNode = new Map<string, { op: string; us: number[]; shapes: string }>();
  const opCount = new Map<string, number>();
  perRun.forEach((evs, r) => {
    for (const e of evs) {
      const op = e.args?.op_name ?? '?';
      const o = byOp.get(op) ?? Array<number>(perRun.length).fill(0);
      o[r]! += e.dur;
      byOp.set(op, o);
      const name = e.name.slice(0, -'_kernel_time'.length);
      const shapes = (e.args?.input_type_shape ?? []).map((t) => JSON.stringify(Object.values(t)[0] ?? [])).join(' ');
      const n = byNode.get(name) ?? { op, us: Array<number>(perRun.length).fill(0), shapes };
      n.us[r]! += e.dur;
      byNode.set(name, n);
      if (r === 0) opCount.set(op, (opCount.get(op) ?? 0) + 1);
    }
  });
  const ops = [...byOp.entries()].map(([op, us]) => ({ op, us: median(us) })).sort((a, b) => b.us - a.us);
  const kernelTotal = median(perRun.map((evs) => evs.reduce((t, e) => t + e.dur, 0)));
  const runTotal = median(runEvents.map((e) => e.dur));
  const ms = (us: number) => (us / 1000).toFixed(2).padStart(7);
  const pct = (us: number) => `${((100 * us) / kernelTotal).toFixed(1).padStart(5)}%`;
  console.log(`${workload}: ${model.graph.node.length} nodes; medians over ${perRun.length} profiled runs: wall ${median(wall).toFixed(2)} ms/run, ORT model_run ${ms(runTotal).trim()} ms, kernels ${ms(kernelTotal).trim()} ms`);
  console.log(`${'op type'.padEnd(24)} ${'ms/run'.padStart(7)}  share  nodes`);
  for (const { op, us } of ops) console.log(`${op.padEnd(24)} ${ms(us)} ${pct(us)}  ${opCount.get(op) ?? 0}`);
  // backward nodes are named grad_<forward op>_<op>_<n> (GradContext.op): time per differentiated op type
  const byRule = new Map<string, number>();
  for (const [name, n] of byNode) {
    const m = /grad_([A-Za-z]+)_/.exec(name);
    const rule = (m ? `${m[1]} backward` : name.startsWith('grad') ? 'other backward' : 'forward, loss, update') + (process.argv.includes('--by-op') ? ` ${n.op}` : '');
    byRule.set(rule, (byRule.get(rule) ?? 0) + median(n.us));
  }
  console.log(`\n${'where'.padEnd(24)} ${'ms/run'.padStart(7)}  share`);
  for (const [rule, us] of [...byRule.entries()].sort((a, b) => b[1] - a[1])) console.log(`${rule.padEnd(24)} ${ms(us)} ${pct(us)}`);
  if (nodeRows > 0) {
    console.log(`\nslowest nodes`);
    const nodes = [...byNode.entries()].map(([name, n]) => ({ name, op: n.op, us: median(n.us), shapes: n.shapes })).sort((a, b) => b.us - a.us);
    for (const n of nodes.slice(0, nodeRows)) console.log(`${ms(n.us)} ${pct(n.us)}  ${n.op.padEnd(18)} ${n.name} ${n.shapes}`);
  }
}

await main();
