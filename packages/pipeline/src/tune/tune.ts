import { existsSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { RunIo } from '@anneal/core';
import { ensureDir, writeFileAtomic } from '@anneal/onnx';
import { PluginConfigError, type PluginSpec } from '@anneal/plugin';
import { createStudy, describeObjectives, formatTrialsTable, parameterImportance, PrunerOptionError, StorageError, TrialPruned, TrialStateError, type FrozenTrial, type Study } from '@anneal/search';
import { instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import { loadBaseConfig, loadConfigFile } from '../config/load-config.js';
import { tuneConfigSchema, type Objective, type TuneConfig } from '../config/tune-config.js';
import { childContainer } from '../container.js';
import { ConfigError } from '../errors.js';
import { loadPluginPackages, pluginPackages } from '../plugin-packages.js';
import type { ConfigSource, Pipeline } from '../pipeline.js';
import { PLUGIN_REGISTRY, STUDY_PRUNER, STUDY_SAMPLER, STUDY_STORAGE, TUNE_CONFIG } from '../tokens.js';
import { runCommandWorkers } from '../worker-processes.js';
import { declaredSpace, runTrial } from './trial.js';
import { copyBestRun, writeTuneReport, type BestRun } from './tune-report.js';
import { formatMultiTrialsTable, frontHypervolume, frontTrials, writeFrontReport, type FrontHypervolume, type FrontTrial } from './tune-front.js';

/** The best trial's model on the test split (recorded by each complete trial). */
export interface TestScore {
  loss: number;
  accuracy?: number;
  count: number;
}

/** What a tune run returns and writes to summary.json. */
export interface TuneSummary {
  study: string;
  dir: string;
  storage: string;
  trials: { complete: number; pruned: number; fail: number; running: number; waiting: number };
  /** What the study optimized: one objective, or several (a multi-objective study, with `front` instead of `best`). */
  objectives: Objective[];
  /** A multi-objective study's Pareto front (best first by the first objective); each run copied to `<study>/front/trial-<n>`. */
  front?: FrontTrial[];
  /** A multi-objective study's hypervolume: the objective space its complete trials dominate up to `reference` (the config's referencePoint, else the default rule of defaultReferencePoint). */
  hypervolume?: FrontHypervolume;
  best?: { number: number; value: number; params: Record<string, unknown>; test?: TestScore; dir?: string };
  /** The best trial's run copied to `<study>/best` (model.onnx, a config `anneal fit` re-runs, metrics.jsonl). */
  bestRun?: BestRun;
  importance: { param: string; importance: number }[];
  /** The study charts (SVG; a PNG beside each). */
  charts: string[];
  /** report.html and report.md in the study folder. */
  report?: { html: string; md: string };
  table: string;
  seconds: number;
}

/** Options of {@link tune}. */
export interface TuneOptions {
  /** Overrides the config's storage: a journal file path, or redis://host:port. */
  storage?: string;
  /** Run trials only (no coordination, no report): one of several workers on any machines. */
  worker?: boolean;
  trials?: number;
  parallel?: number;
  /** The study folder (default runs/<name>; re-running resumes the study). */
  out?: string;
  /**
   * Start afresh: a study folder holding an Anneal study (its study.jsonl or summary.json) is
   * deleted after the configs load, instead of resumed (`anneal tune --force`). A folder without
   * those files is never deleted; a study in Redis or in a journal outside the folder is kept.
   */
  replace?: boolean;
}

/** Consecutive failed trials after which a worker gives up (the study keeps them as failed). */
const MAX_FAILURES_IN_A_ROW = 5;

const finished = (trials: readonly FrozenTrial[]) => trials.filter((t) => t.state === 'complete' || t.state === 'pruned').length;
/** The error of a trial given back unrun because workers asked for more trials than the budget at the same moment. */
export const NOT_RUN = 'not run: ';
/** How a tune worker process starts the line of the error it exits with. */
export const WORKER_ERROR = 'anneal tune worker: ';
/**
 * A trial some worker is running: it will still count toward the budget unless it fails. Waiting
 * trials (enqueued, or the retry of a dead worker's trial) are not: `ask` hands them out first, so
 * a worker must ask for them rather than wait for them (counting them made every worker wait on a
 * retry nobody would take).
 */
const running = (t: FrozenTrial) => t.state === 'running';

/**
 * A storage spec from the config or --storage: a plugin spec, `redis://...`, or a journal file
 * path (relative to the working directory; made absolute, as the journal plugin resolves relative
 * paths against the study folder). Default: study.jsonl in the study folder.
 */
export function storageSpec(value: string | PluginSpec | undefined, dir: string): PluginSpec {
  if (value === undefined) return { type: 'journal', path: resolve(dir, 'study.jsonl') };
  if (typeof value !== 'string') return value;
  return /^rediss?:\/\//.test(value) ? { type: 'redis', url: value } : { type: 'journal', path: resolve(value) };
}

/** What the storage spec reads as, for humans (a journal path relative to the working directory when inside it). */
export const describeStorage = (s: PluginSpec) => {
  if (s.type === 'redis') return String(s.url);
  if (s.type !== 'journal') return s.type;
  const path = relative(process.cwd(), String(s.path));
  return path && !path.startsWith('..') && !isAbsolute(path) ? path : String(s.path);
};

/**
 * The study's container (a child of the pipeline's): the plugin packages the tune and base
 * configs name, the tune config, and factories of the storage, sampler and pruner plugins.
 */
async function studyContainer(pipeline: Pipeline, tune: TuneConfig, base: Record<string, unknown>, storage: PluginSpec, dir: string): Promise<DependencyContainer> {
  const onWarning = (m: string) => pipeline.io.err(`warning: ${m}`);
  const c = childContainer(pipeline.container, await loadPluginPackages(pluginPackages({ tune: { ...tune, base: undefined }, storage, base }), pipeline.baseDir));
  c.register(TUNE_CONFIG, { useValue: tune });
  const registry = (r: DependencyContainer) => r.resolve(PLUGIN_REGISTRY);
  c.register(STUDY_STORAGE, { useFactory: instanceCachingFactory((r) => Promise.resolve(registry(r).build('storage', storage, 'storage', { dir, onWarning }))) });
  c.register(STUDY_SAMPLER, { useFactory: instanceCachingFactory((r) => registry(r).build('sampler', r.resolve(TUNE_CONFIG).sampler, 'sampler', { space: declaredSpace(r.resolve(TUNE_CONFIG)), seed: r.resolve(TUNE_CONFIG).seed })) });
  const epochs = ((base.train as { epochs?: number } | undefined)?.epochs);
  c.register(STUDY_PRUNER, { useFactory: instanceCachingFactory((r) => registry(r).build('pruner', r.resolve(TUNE_CONFIG).pruner, 'pruner', { maxSteps: epochs })) });
  return c;
}

/**
 * Runs trials until the study has exactly `target` complete or pruned trials, however many
 * workers share it: a worker only starts a trial while finished + running trials are below the
 * target, and a trial started in the same instant as others beyond the target is given back
 * (told failed, 'not run') instead of run; failed trials do not count.
 */
async function workLoop(c: DependencyContainer, study: Study, tune: TuneConfig, base: Record<string, unknown>, dir: string, target: number, options: { threads: number | 'auto'; baseDir: string; bar?: RunIo['bar'] }, log: (s: string) => void): Promise<void> {
  const sampler = c.resolve(STUDY_SAMPLER);
  const store = await c.resolve(STUDY_STORAGE);
  let failuresInARow = 0;
  for (;;) {
    const trials = await study.trials();
    if (finished(trials) >= target) return;
    if (sampler.isExhausted?.({ name: study.name, direction: study.direction, ...(study.directions.length > 1 ? { directions: study.directions } : {}), trials })) {
      log(`sampler '${sampler.name}' has visited every point of the space; stopping`);
      return;
    }
    if (finished(trials) + trials.filter(running).length >= target) {
      // the rest of the budget is running elsewhere: wait until it ends, or until a trial of a dead worker is failed (and retried) and frees a place
      await store.failStaleTrials(study.name, tune.heartbeat.graceMs, { retry: true });
      await new Promise((r) => setTimeout(r, tune.heartbeat.intervalMs));
      continue;
    }
    const trial = await study.ask();
    // workers that asked at the same moment: the trials numbered before this one decide whether it is within the budget
    const ahead = (await study.trials()).filter((t) => t.number < trial.number && t.state !== 'fail').length;
    if (ahead >= target) {
      await study.tell(trial, { state: 'fail', error: `${NOT_RUN}the budget of ${target} trials was taken by other workers` });
      continue;
    }
    try {
      const outcome = await runTrial(c, trial, tune, base, dir, options);
      const choices = Object.entries(outcome.choices).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : JSON.stringify(v)}`).join(' ');
      if (outcome.pruned) {
        await study.tell(trial, { state: 'pruned' });
        log(`trial ${trial.number}: ${choices} -> pruned after ${outcome.epochs} epochs (${tune.metric} ${outcome.value.toFixed(4)}, ${outcome.seconds.toFixed(1)} s)`);
      } else {
        await study.tell(trial, tune.objectives.length > 1 ? outcome.values : outcome.value);
        failuresInARow = 0;
        const reached = tune.objectives.map((o, i) => `${o.metric} ${Number(outcome.values[i]!.toPrecision(5))}`).join(', ');
        log(`trial ${trial.number}: ${choices} -> ${reached} (${outcome.epochs} epochs, ${outcome.seconds.toFixed(1)} s)`);
      }
    } catch (e) {
      // the storage is unreachable past its retry bound, or lost the study: no trial can be told, stop this worker with that error
      if (e instanceof StorageError) throw e;
      // taken away: this worker was silent past the heartbeat grace (paused, swapped out), so the trial was failed and retried elsewhere
      const takenAway = () => log(`trial ${trial.number}: dropped, this worker was silent longer than the heartbeat grace (${tune.heartbeat.graceMs} ms) and the trial was failed and retried by the study; going on`);
      if (e instanceof TrialStateError) {
        takenAway();
        continue;
      }
      try {
        if (e instanceof TrialPruned) await study.tell(trial, { state: 'pruned' });
        else await study.tell(trial, { state: 'fail', error: (e as Error).message });
      } catch (told) {
        if (!(told instanceof TrialStateError)) throw told;
        takenAway();
        continue;
      }
      if (e instanceof TrialPruned) continue;
      log(`trial ${trial.number}: failed: ${(e as Error).message}`);
      // a config mistake fails every trial: stop instead of burning the budget
      if (e instanceof ConfigError || e instanceof PluginConfigError || e instanceof PrunerOptionError) throw e;
      if (++failuresInARow >= MAX_FAILURES_IN_A_ROW) throw new ConfigError(`${MAX_FAILURES_IN_A_ROW} trials in a row failed in this worker; the last error: ${(e as Error).message}`);
    }
  }
}

/** The tune config of a source, and the file the config lives in (relative `base` paths resolve against it). */
function loadTune(pipeline: Pipeline, source: ConfigSource<Record<string, unknown>>): { tune: TuneConfig; file: string } {
  if (typeof source === 'string') return { tune: loadConfigFile(source, tuneConfigSchema), file: source };
  const parsed = tuneConfigSchema.safeParse(source);
  if (!parsed.success) throw new ConfigError(`invalid tune config:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  return { tune: parsed.data, file: join(pipeline.baseDir, 'tune.json') };
}

/**
 * A hyperparameter study over a fit config. Without `worker` it runs `parallel` worker processes
 * on this machine (or trials in this process when 1), then writes the report (best trial,
 * table, importance, charts). `worker` runs trials only, against the shared storage (a journal
 * file on this machine, or Redis for many machines); any number may run; re-running resumes.
 */
export async function tune(pipeline: Pipeline, source: ConfigSource<Record<string, unknown>>, options: TuneOptions = {}): Promise<TuneSummary | undefined> {
  const started = performance.now();
  const { tune: config, file } = loadTune(pipeline, source);
  const base = loadBaseConfig(config.base, file);
  const dir = options.out ?? join(pipeline.runsDir, config.name);
  if (options.replace && !options.worker && ['study.jsonl', 'summary.json'].some((f) => existsSync(join(dir, f)))) rmSync(dir, { recursive: true, force: true });
  ensureDir(dir);
  const storage = storageSpec(options.storage ?? config.storage, dir);
  const target = options.trials ?? config.trials;
  const parallel = options.parallel ?? config.parallel;
  const c = await studyContainer(pipeline, config, base, storage, dir);
  const store = await c.resolve(STUDY_STORAGE);
  const hb = { intervalMs: config.heartbeat.intervalMs, graceMs: config.heartbeat.graceMs, retryFailed: true };
  const multi = config.objectives.length > 1;
  const objectives = multi ? { directions: config.objectives.map((o) => o.direction) } : { direction: config.direction, pruner: c.resolve(STUDY_PRUNER) };
  const study = await createStudy(config.name, { storage: store, sampler: c.resolve(STUDY_SAMPLER), ...objectives, loadIfExists: true, heartbeat: hb });
  if (study.directions.length !== config.objectives.length) throw new ConfigError(`study '${config.name}' in ${describeStorage(storage)} has ${study.directions.length} objective(s) (${study.directions.join(', ')}) but the config gives ${config.objectives.length}; resume it with the same objectives, or use another name or folder (--force starts afresh)`);
  // the metrics' names go into the study, so readers of the storage (anneal dashboard) show them while it runs
  if (multi) await describeObjectives(store, study.name, { names: config.objectives.map((o) => o.metric), ...(config.referencePoint ? { reference: config.referencePoint } : {}) });
  const log = (s: string) => pipeline.io.err(s);
  try {
    const threads = parallel > 1 || options.worker ? Math.max(1, Math.floor(availableParallelism() / Math.max(parallel, 1))) : 'auto';
    if (options.worker || parallel === 1) {
      // one process: its trials draw their bars (the train step compiling, epochs) on the pipeline's terminal
      await workLoop(c, study, config, base, dir, target, { threads, baseDir: pipeline.baseDir, bar: options.worker ? undefined : pipeline.io.bar }, log);
      if (options.worker) return undefined;
    } else {
      log(`anneal tune: ${parallel} worker processes on ${describeStorage(storage)}`);
      // a worker exits 0 only once the study reached its budget (or the sampler its end): with none, the study cannot progress
      await runCommandWorkers(pipeline, {
        entry: 'tune-worker',
        from: import.meta.url,
        source,
        resolved: { ...(source as Record<string, unknown>), base },
        command: 'tune',
        dir,
        parallel,
        options: { storage: options.storage ?? (typeof config.storage === 'string' ? config.storage : undefined), trials: target, parallel },
        errorPrefix: WORKER_ERROR,
        unfinished: `the study '${config.name}' in ${describeStorage(storage)} did not reach its ${target} trials`,
        code: 'TUNE_WORKERS',
        someFailed: (failed) => `warning: ${failed} worker(s) exited with an error; their trials are failed and retried by the others`,
      });
    }
    return await report(study, config, dir, describeStorage(storage), started);
  } finally {
    await store.close();
  }
}

async function report(study: Study, tune: TuneConfig, dir: string, storage: string, started: number): Promise<TuneSummary> {
  if (tune.objectives.length > 1) return reportFront(study, tune, dir, storage, started);
  const trials = await study.trials();
  const best = await study.bestTrial();
  const complete = trials.filter((t) => t.state === 'complete');
  const importance = complete.length >= 2 && Object.keys(complete[0]?.params ?? {}).length ? parameterImportance(trials, { seed: 0 }) : [];
  const bestRun = best ? copyBestRun(dir, study.name, best) : undefined;
  const test = best?.userAttrs.test as TestScore | undefined;
  const written = await writeTuneReport(dir, { study: study.name, direction: study.direction, metric: tune.metric, storage, trials, importance, best: best && { ...best, test }, bestRun });
  return writeSummary(study, tune, dir, storage, started, trials, {
    best: best && best.value !== undefined ? { number: best.number, value: best.value, params: { ...best.params }, test, dir: best.userAttrs.dir as string | undefined } : undefined,
    bestRun,
    importance,
    written,
    table: formatTrialsTable(trials, study.direction, { limit: 40 }),
  });
}

/** What one kind of report puts in summary.json: the best trial or the Pareto front, importance, its files and its trials table. */
type ReportPart = Pick<TuneSummary, 'best' | 'bestRun' | 'front' | 'hypervolume' | 'importance' | 'table'> & { written: { html: string; md: string; charts: string[] } };

/** Writes summary.json (what every study has: name, folder, storage, trial counts, objectives, time; and the report's `part`) and returns it. */
function writeSummary(study: Study, tune: TuneConfig, dir: string, storage: string, started: number, trials: readonly FrozenTrial[], part: ReportPart): TuneSummary {
  const { written, table, ...own } = part;
  const summary: TuneSummary = { study: study.name, dir, storage, trials: trialCounts(trials), objectives: tune.objectives, ...own, charts: written.charts, report: { html: written.html, md: written.md }, table, seconds: (performance.now() - started) / 1000 };
  writeFileAtomic(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

/** Trial counts of summary.json (trials given back unrun are not failures). */
function trialCounts(trials: readonly FrozenTrial[]): TuneSummary['trials'] {
  const count = (s: string) => trials.filter((t) => t.state === s).length;
  return { complete: count('complete'), pruned: count('pruned'), fail: trials.filter((t) => t.state === 'fail' && !t.error?.startsWith(NOT_RUN)).length, running: count('running'), waiting: count('waiting') };
}

/** The report of a multi-objective study: the Pareto front (runs copied to `<study>/front/trial-<n>`), its chart and table, every trial. */
async function reportFront(study: Study, tune: TuneConfig, dir: string, storage: string, started: number): Promise<TuneSummary> {
  const trials = await study.trials();
  const front = frontTrials(dir, study.name, await study.bestTrials(), tune.objectives);
  const hypervolume = frontHypervolume(trials, tune.objectives, tune.referencePoint);
  const written = await writeFrontReport(dir, { study: study.name, objectives: tune.objectives, storage, trials, front, hypervolume });
  return writeSummary(study, tune, dir, storage, started, trials, { front, ...(hypervolume ? { hypervolume } : {}), importance: [], written, table: formatMultiTrialsTable(trials, tune.objectives, new Set(front.map((t) => t.number))) });
}
