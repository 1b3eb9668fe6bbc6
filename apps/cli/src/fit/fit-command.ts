import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { progress, TRAINER_STATE_KEY, type Callback, type TrainerState } from '@anneal/core';
import { engineBackend } from '@anneal/engine';
import { saveModel, writeFileAtomic, type ModelProto } from '@anneal/onnx';
import { loadCheckpoint } from '@anneal/runtime';
import { CliError } from '../cli-error';
import { createContainer } from '../container';
import { composeRun, type ComposedRun, type ComposeOptions } from './compose';
import type { FitConfig } from './config-schema';
import { loadFitConfig, validateFitConfig } from './load-config';
import { pluginPackages, registerSchedulerPlugins } from './plugins';
import { progressBars, summaryLines } from './progress-bars';
import { writeRunCharts } from './run-charts';
import { MetricsLog, runPaths } from './run-dir';

type Score = { loss: number; accuracy?: number; count: number };

/**
 * Loads the SWA average into the run (replacing the trained weights) and recomputes the
 * BatchNorm statistics over the training data; scores the last weights and the stale average first.
 */
async function applySwa(run: ComposedRun): Promise<NonNullable<FitSummary['swa']>> {
  const test = () => run.session.evaluate(run.data.test.epochBatches(0), { weights: run.weights });
  const lastWeights = await test();
  await engineBackend(run.session, { evaluateWith: run.weights }).loadWeights(run.swa!.average());
  const hasBatchNorm = Object.keys(await run.session.runningStatistics()).length > 0;
  const withoutRefresh = hasBatchNorm ? await test() : undefined;
  if (hasBatchNorm) await run.session.refreshBatchNorm(run.data.train.epochBatches(0), { weights: run.weights });
  return { epochs: run.swa!.count, lastWeights, withoutRefresh };
}

/** What `anneal fit` / `anneal resume` print and return. */
export interface FitSummary {
  runDir: string;
  epochs: number;
  steps: number;
  stopped: boolean;
  reason?: string;
  test: { loss: number; accuracy?: number; count: number };
  /** With `callbacks.swa`: epochs averaged, and the test scores of the last weights and of the average before the BatchNorm refresh; `test` is the refreshed average's. */
  swa?: { epochs: number; lastWeights: Score; withoutRefresh?: Score };
  /** With `optimizer.ema`: the test score of the last (not averaged) weights; `test` is the average's. */
  testLastWeights?: { loss: number; accuracy?: number; count: number };
  seconds: number;
  /** Training throughput (batch steps only, validation excluded) and the parallel layout it ran with. */
  throughput: { examplesPerSecond: number; trainSeconds: number; batch: number; workers: number; accumulate: number };
  files: { model: string; metrics: string; checkpoint: string; charts: string[] };
}

export interface FitIo {
  out: (s: string) => void;
  err: (s: string) => void;
  progress: boolean;
}

/** A fresh run folder: `runs/<name>`, or `runs/<name>-1`, `-2`... when taken (an existing run is never overwritten). */
export function freshRunDir(base: string): string {
  if (!existsSync(base)) return base;
  for (let i = 1; ; i++) if (!existsSync(`${base}-${i}`)) return `${base}-${i}`;
}

/**
 * `anneal fit <config>`: trains as configured into a new run folder (config snapshot,
 * metrics.jsonl, checkpoints, model.onnx, charts).
 */
export async function fitCommand(configPath: string, options: { out?: string }, io: FitIo): Promise<FitSummary> {
  const config = loadFitConfig(configPath);
  const dir = options.out ?? freshRunDir(`runs/${config.name}`);
  if (options.out && existsSync(runPaths(dir).last)) throw new CliError(`${dir} already holds a run; continue it with \`anneal resume ${dir}\`, or choose another --out`);
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(runPaths(dir).config, JSON.stringify(config, null, 2) + '\n');
  return runFit(config, dir, undefined, io);
}

/** `anneal resume <run-dir>`: continues a run from its last checkpoint with its saved config. */
export async function resumeCommand(dir: string, io: FitIo): Promise<FitSummary> {
  const paths = runPaths(dir);
  if (!existsSync(paths.config)) throw new CliError(`${dir} is not a run folder (no config.json); give the folder \`anneal fit\` wrote`);
  const raw = JSON.parse(readFileSync(paths.config, 'utf8')) as Record<string, unknown>;
  if (raw.backbone) throw new CliError(`${dir} is an \`anneal finetune\` run; resumeFinetune continues it (as \`anneal resume\` does)`);
  const config = validateFitConfig(raw, paths.config);
  if (!existsSync(paths.last)) throw new CliError(`${dir} has no checkpoint yet (${paths.last}); the run was stopped before its first checkpoint: start it again with \`anneal fit\``);
  return runFit(config, dir, paths.last, io);
}

/** What `anneal finetune` changes in a run: its own data and model, and how model.onnx is made. */
export interface RunExtras {
  prebuilt?: ComposeOptions['prebuilt'];
  /** The inference model saved as model.onnx (default: the trained model with its final weights). */
  exportModel?: (run: ComposedRun) => Promise<ModelProto>;
  /** The command name in the header line (default 'anneal fit'). */
  label?: string;
  /** More Trainer callbacks, and a hook that sees the composed run before training (snapshot ensembles export through it). */
  callbacks?: Callback[];
  onComposed?: (run: ComposedRun) => void;
  /** Data loaded once by the caller (several runs over the same split). */
  data?: ComposeOptions['data'];
}

/** Trains a composed run into `dir` (metrics, checkpoints, charts, model.onnx, summary.json). */
export async function runFit(config: FitConfig, dir: string, resume: string | undefined, io: FitIo, extras: RunExtras = {}): Promise<FitSummary> {
  const paths = runPaths(dir);
  const started = performance.now();
  const c = createContainer();
  await registerSchedulerPlugins(c, pluginPackages(config));
  // a resumed run reuses the thread counts of the original one, so its floating-point results are identical
  const threads = resume && existsSync(paths.runtime) ? (JSON.parse(readFileSync(paths.runtime, 'utf8')) as { intraOp: number; loop?: number }) : undefined;
  const sink = io.progress ? progressBars(io.err) : summaryLines(io.err);
  const run = await composeRun(c, config, {
    checkpointDir: paths.checkpoints,
    extraCallbacks: [progress(sink), ...(extras.callbacks ?? [])],
    threads,
    prebuilt: extras.prebuilt,
    data: extras.data,
  });
  extras.onComposed?.(run);
  const log = new MetricsLog(paths.metrics);
  if (resume) {
    const meta = loadCheckpoint(resume).metadata[TRAINER_STATE_KEY];
    const state = meta ? (JSON.parse(meta) as TrainerState) : undefined;
    if (state) log.resumeAt(state.step, state.epoch);
  }
  log.attach(run.trainer.events$);
  let savedRuntime = !!threads;
  const clock = { epochStart: 0, lastBatch: 0, ms: 0, examples: 0 };
  run.trainer.events$.subscribe((e) => {
    if (e.type === 'epoch:start') clock.epochStart = clock.lastBatch = performance.now();
    if (e.type === 'batch:end') clock.lastBatch = performance.now();
    if (e.type === 'epoch:end') {
      clock.ms += clock.lastBatch - clock.epochStart;
      clock.examples += Math.min(run.data.sizes.train, e.train.loss.count * config.data.batchSize);
    }
    if (e.type === 'warning') io.err(`warning: ${e.message}`);
    if (e.type === 'checkpoint:saved' && !savedRuntime && run.session.loopThreads !== undefined) {
      writeFileAtomic(paths.runtime, JSON.stringify({ intraOp: run.session.intraOpThreads, loop: run.session.loopThreads }) + '\n');
      savedRuntime = true;
    }
  });
  io.err(`${extras.label ?? 'anneal fit'}: ${config.name} -> ${dir} (${run.data.sizes.train} train / ${run.data.sizes.val || run.data.sizes.test} ${run.data.valSplit} examples, ${run.data.train.batchesPerEpoch} batches per epoch${resume ? `, resuming from ${relative('.', resume)}` : ''})`);
  try {
    const result = await run.trainer.fit({ resume });
    log.flush();
    const swa = run.swa ? await applySwa(run) : undefined;
    saveModel(paths.model, extras.exportModel ? await extras.exportModel(run) : await run.session.exportInference(run.model, { weights: run.weights }));
    const test = await run.session.evaluate(run.data.test.epochBatches(0), { weights: run.weights });
    // with a weight average, also the last weights' score, to see what averaging gained
    const current = run.weights === 'average' ? await run.session.evaluate(run.data.test.epochBatches(0)) : undefined;
    const charts = await writeRunCharts(paths.charts, log.all, { batchesPerEpoch: run.data.train.batchesPerEpoch, valLabel: run.data.valSplit });
    const summary: FitSummary = {
      runDir: dir,
      epochs: result.epochs,
      steps: result.steps,
      stopped: result.stopped,
      reason: result.reason,
      test: { loss: test.loss, accuracy: test.accuracy, count: test.count },
      ...(current ? { testLastWeights: { loss: current.loss, accuracy: current.accuracy, count: current.count } } : {}),
      ...(swa ? { swa } : {}),
      seconds: (performance.now() - started) / 1000,
      throughput: { examplesPerSecond: clock.ms > 0 ? clock.examples / (clock.ms / 1000) : 0, trainSeconds: clock.ms / 1000, batch: config.data.batchSize, ...run.session.parallelism },
      files: { model: paths.model, metrics: paths.metrics, checkpoint: paths.last, charts },
    };
    writeFileAtomic(paths.summary, JSON.stringify(summary, null, 2) + '\n');
    return summary;
  } finally {
    log.detach();
    await run.session.release();
  }
}

const pct = (v: number | undefined) => (v === undefined ? '-' : `${(v * 100).toFixed(2)}%`);

/** The summary block printed at the end of a run. */
export function formatSummary(s: FitSummary): string {
  const lines = [
    `done: ${s.epochs} epochs, ${s.steps} steps in ${s.seconds.toFixed(1)} s${s.stopped ? ` (stopped early: ${s.reason})` : ''}`,
    `training: ${Math.round(s.throughput.examplesPerSecond)} examples/s (batch ${s.throughput.batch}${s.throughput.workers > 1 || s.throughput.accumulate > 1 ? ` = ${s.throughput.workers} workers x ${s.throughput.accumulate} micro-batches` : ''})`,
    `test: loss ${s.test.loss.toFixed(4)}${s.test.accuracy !== undefined ? `, accuracy ${(s.test.accuracy * 100).toFixed(2)}%` : ''} on ${s.test.count} examples${s.testLastWeights ? ' (averaged weights)' : ''}`,
    ...(s.swa ? [`      SWA over ${s.swa.epochs} epochs; last weights: accuracy ${pct(s.swa.lastWeights.accuracy)}${s.swa.withoutRefresh ? `; average before the BatchNorm refresh: accuracy ${pct(s.swa.withoutRefresh.accuracy)}` : ''}`] : []),
    ...(s.testLastWeights ? [`      last weights: loss ${s.testLastWeights.loss.toFixed(4)}${s.testLastWeights.accuracy !== undefined ? `, accuracy ${(s.testLastWeights.accuracy * 100).toFixed(2)}%` : ''}`] : []),
    `model:      ${s.files.model}`,
    `metrics:    ${s.files.metrics}`,
    `checkpoint: ${s.files.checkpoint}`,
    ...s.files.charts.map((p, i) => `${i === 0 ? 'charts:     ' : '            '}${p} (+ .png)`),
  ];
  return lines.join('\n');
}
