import { fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '@anneal/onnx';
import {
  createStudy,
  formatTrialsTable,
  GridSampler,
  HyperbandPruner,
  JournalStorage,
  MedianPruner,
  parameterImportance,
  PrunerOptionError,
  QmcSampler,
  RandomSampler,
  RedisStorage,
  SuccessiveHalvingPruner,
  TpeSampler,
  TrialPruned,
  writeStudyCharts,
  type FrozenTrial,
  type Pruner,
  type Sampler,
  type Storage,
  type Study,
} from '@anneal/search';
import { CliError } from '../cli-error';
import { loadBaseConfig, loadConfigFile } from '../fit/load-config';
import { runTrial } from './tune-trial';
import { tuneConfigSchema, type TuneConfig } from './tune-schema';

/** The best trial's model on the test split (recorded by each complete trial). */
export interface TestScore {
  loss: number;
  accuracy?: number;
  count: number;
}

/** What `anneal tune` prints and writes to summary.json. */
export interface TuneSummary {
  study: string;
  dir: string;
  storage: string;
  trials: { complete: number; pruned: number; fail: number; running: number; waiting: number };
  best?: { number: number; value: number; params: Record<string, unknown>; test?: TestScore };
  importance: { param: string; importance: number }[];
  charts: string[];
  table: string;
  seconds: number;
}

/** Options of {@link tuneCommand}. */
export interface TuneOptions {
  storage?: string;
  /** Run trials only (no coordination, no report): one of several workers on any machines. */
  worker?: boolean;
  trials?: number;
  parallel?: number;
  out?: string;
}

function sampler(tune: TuneConfig): Sampler {
  const { type, seed, startupTrials } = tune.sampler;
  if (type === 'random') return new RandomSampler({ seed });
  if (type === 'qmc') return new QmcSampler({ seed });
  if (type === 'tpe') return new TpeSampler({ seed, nStartupTrials: startupTrials });
  const grid: Record<string, (number | string | boolean | null)[]> = {};
  for (const [path, d] of Object.entries(tune.space)) {
    if (d.type === 'categorical') grid[path] = d.choices.map((c) => (c === null || ['number', 'string', 'boolean'].includes(typeof c) ? (c as number | string | boolean | null) : JSON.stringify(c)));
    else if (d.step !== undefined || d.type === 'int') {
      const step = d.step ?? 1;
      grid[path] = Array.from({ length: Math.floor((d.high - d.low) / step + 1e-9) + 1 }, (_, k) => Number((d.low + k * step).toPrecision(12)));
    } else throw new CliError(`sampler grid: space '${path}' is a continuous float; give it a step or use categorical choices`);
  }
  return new GridSampler(grid, { seed });
}

function pruner(tune: TuneConfig): Pruner | undefined {
  const p = tune.pruner;
  if (p.type === 'none') return undefined;
  if (p.type === 'median') return new MedianPruner({ nStartupTrials: p.startupTrials ?? 5, nWarmupSteps: p.warmupSteps ?? 1 });
  if (p.type === 'asha') return new SuccessiveHalvingPruner({ minResource: 1, reductionFactor: p.reductionFactor ?? 3 });
  return new HyperbandPruner({ minResource: 1, reductionFactor: p.reductionFactor ?? 3 });
}

async function openStorage(spec: string): Promise<Storage> {
  if (/^rediss?:\/\//.test(spec)) return RedisStorage.connect(spec);
  mkdirSync(dirname(spec), { recursive: true });
  return new JournalStorage(spec);
}

/** Consecutive failed trials after which a worker gives up (the study keeps them as failed). */
const MAX_FAILURES_IN_A_ROW = 5;

const finished = (trials: readonly FrozenTrial[]) => trials.filter((t) => t.state === 'complete' || t.state === 'pruned').length;

/** Runs trials until the study has `target` complete or pruned trials. */
async function workLoop(study: Study, strategy: Sampler, tune: TuneConfig, base: Record<string, unknown>, dir: string, target: number, threads: number | 'auto', log: (s: string) => void): Promise<void> {
  let failuresInARow = 0;
  for (;;) {
    const trials = await study.trials();
    if (finished(trials) >= target) return;
    if (strategy.isExhausted?.({ name: study.name, direction: study.direction, trials })) {
      log(`sampler '${strategy.name}' has visited every point of the space; stopping`);
      return;
    }
    const trial = await study.ask();
    try {
      const outcome = await runTrial(trial, tune, base, dir, threads);
      const choices = Object.entries(outcome.choices).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : JSON.stringify(v)}`).join(' ');
      if (outcome.pruned) {
        await study.tell(trial, { state: 'pruned' });
        log(`trial ${trial.number}: ${choices} -> pruned after ${outcome.epochs} epochs (${tune.metric} ${outcome.value.toFixed(4)}, ${outcome.seconds.toFixed(1)} s)`);
      } else {
        await study.tell(trial, outcome.value);
        failuresInARow = 0;
        log(`trial ${trial.number}: ${choices} -> ${tune.metric} ${outcome.value.toFixed(4)} (${outcome.epochs} epochs, ${outcome.seconds.toFixed(1)} s)`);
      }
    } catch (e) {
      if (e instanceof TrialPruned) await study.tell(trial, { state: 'pruned' });
      else {
        await study.tell(trial, { state: 'fail', error: (e as Error).message });
        log(`trial ${trial.number}: failed: ${(e as Error).message}`);
        // a config mistake fails every trial: stop instead of burning the budget
        if (e instanceof CliError || e instanceof PrunerOptionError) throw e;
        if (++failuresInARow >= MAX_FAILURES_IN_A_ROW) throw new CliError(`${MAX_FAILURES_IN_A_ROW} trials in a row failed in this worker; the last error: ${(e as Error).message}`);
      }
    }
  }
}

/**
 * `anneal tune <config>`: a hyperparameter study over a fit config. Without `--worker` it runs
 * `parallel` worker processes on this machine (or trials in-process when 1), then writes the
 * report (best trial, table, importance, charts). `--worker` runs trials only, against a shared
 * storage (a journal file on this machine, or redis:// for many machines), and can be started on
 * any number of machines; re-running resumes the stored study.
 */
export async function tuneCommand(configPath: string, options: TuneOptions, io: { out: (s: string) => void; err: (s: string) => void }): Promise<TuneSummary | undefined> {
  const started = performance.now();
  const tune = loadConfigFile(configPath, tuneConfigSchema);
  const base = loadBaseConfig(tune.base, configPath);
  const dir = options.out ?? join('runs', tune.name);
  mkdirSync(dir, { recursive: true });
  const storageSpec = options.storage ?? tune.storage ?? join(dir, 'study.jsonl');
  const target = options.trials ?? tune.trials;
  const parallel = options.parallel ?? tune.parallel;
  const storage = await openStorage(storageSpec);
  const hb = { intervalMs: tune.heartbeat.intervalMs, graceMs: tune.heartbeat.graceMs, retryFailed: true };
  const strategy = sampler(tune);
  const study = await createStudy(tune.name, { storage, sampler: strategy, pruner: pruner(tune), direction: tune.direction, loadIfExists: true, heartbeat: hb });
  try {
    const threads = parallel > 1 || options.worker ? Math.max(1, Math.floor(availableParallelism() / Math.max(parallel, 1))) : 'auto';
    if (options.worker || parallel === 1) {
      await workLoop(study, strategy, tune, base, dir, target, threads, io.err);
      if (options.worker) return undefined;
    } else {
      io.err(`anneal tune: ${parallel} worker processes on ${storageSpec}`);
      const bin = fileURLToPath(new URL('../../bin/anneal.mjs', import.meta.url));
      const workers = Array.from({ length: parallel }, () =>
        fork(bin, ['tune', configPath, '--worker', '--storage', storageSpec, '--trials', String(target), '--parallel', String(parallel), '--out', dir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
      );
      const codes = await Promise.all(workers.map((w) => new Promise<number>((r) => w.once('exit', (code) => r(code ?? 1)))));
      if (codes.some((c) => c !== 0)) io.err(`warning: ${codes.filter((c) => c !== 0).length} worker(s) exited with an error; their trials are failed and retried by the others`);
    }
    return await report(study, dir, storageSpec, started);
  } finally {
    await storage.close();
  }
}

async function report(study: Study, dir: string, storageSpec: string, started: number): Promise<TuneSummary> {
  const trials = await study.trials();
  const count = (s: string) => trials.filter((t) => t.state === s).length;
  const best = await study.bestTrial();
  const complete = trials.filter((t) => t.state === 'complete');
  const importance = complete.length >= 2 && Object.keys(complete[0]?.params ?? {}).length ? parameterImportance(trials, { seed: 0 }) : [];
  const charts = complete.length ? await writeStudyCharts(join(dir, 'charts'), trials, study.direction) : [];
  const summary: TuneSummary = {
    study: study.name,
    dir,
    storage: storageSpec,
    trials: { complete: count('complete'), pruned: count('pruned'), fail: count('fail'), running: count('running'), waiting: count('waiting') },
    best: best && best.value !== undefined ? { number: best.number, value: best.value, params: { ...best.params }, test: best.userAttrs.test as TestScore | undefined } : undefined,
    importance,
    charts: charts.filter((c) => c.endsWith('.svg')),
    table: formatTrialsTable(trials, study.direction, { limit: 40 }),
    seconds: (performance.now() - started) / 1000,
  };
  writeFileAtomic(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

/** The block printed at the end of `anneal tune`. */
export function formatTuneSummary(s: TuneSummary): string {
  const lines = [
    s.table,
    '',
    `study ${s.study} (${s.storage}): ${s.trials.complete} complete, ${s.trials.pruned} pruned, ${s.trials.fail} failed in ${s.seconds.toFixed(1)} s`,
    s.best
      ? `best: trial ${s.best.number}, value ${s.best.value.toFixed(4)}, ${JSON.stringify(s.best.params)}${s.best.test?.accuracy !== undefined ? `; test accuracy ${(s.best.test.accuracy * 100).toFixed(2)}% on ${s.best.test.count} examples` : ''}`
      : 'best: none (no complete trial)',
  ];
  if (s.importance.length) lines.push(`importance: ${s.importance.map((i) => `${i.param} ${(i.importance * 100).toFixed(0)}%`).join(', ')}`);
  if (s.charts.length) lines.push(`charts: ${s.charts.join(', ')} (+ .png)`);
  return lines.join('\n');
}
