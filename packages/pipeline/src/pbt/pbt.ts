import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, writeFileAtomic } from '@anneal/onnx';
import type { PluginSpec } from '@anneal/plugin';
import { PopulationBasedTraining, type Distribution, type PbtResult, type PbtStep, type Storage } from '@anneal/search';
import { setPath } from '../config/config-paths.js';
import { loadBaseConfig, loadConfigFile, validateFitConfig } from '../config/load-config.js';
import { pbtConfigSchema, type PbtConfig } from '../config/pbt-config.js';
import { childContainer } from '../container.js';
import { ConfigError } from '../errors.js';
import { loadPluginPackages, pluginPackages } from '../plugin-packages.js';
import type { ConfigSource, Pipeline } from '../pipeline.js';
import { PLUGIN_REGISTRY } from '../tokens.js';
import { distributionOf } from '../tune/trial.js';
import { copyTrialRun, type BestRun } from '../tune/tune-report.js';
import { describeStorage, storageSpec, type TestScore } from '../tune/tune.js';
import { runCommandWorkers } from '../worker-processes.js';
import { pipelineMember } from './pbt-member.js';
import { writePbtReport } from './pbt-report.js';

/** One interval of a member, as summary.json lists it. */
export interface PbtInterval {
  member: number;
  generation: number;
  /** The member whose checkpoint of the previous generation it started from (itself unless exploited). */
  parent: number;
  exploited: boolean;
  score: number | null;
  hyperparameters: Record<string, unknown>;
}

/** What `anneal pbt` returns and writes to summary.json. */
export interface PbtSummary {
  study: string;
  dir: string;
  storage: string;
  population: number;
  generations: number;
  epochsPerGeneration: number;
  metric: string;
  direction: 'minimize' | 'maximize';
  /** The best member of the last generation: its score, its final hyperparameters, its model on the test split. */
  best: { member: number; score: number; hyperparameters: Record<string, unknown>; test?: TestScore; dir: string };
  /** The best member's run copied to `<study>/best` (model.onnx, config.json with its final hyperparameters, metrics.jsonl, lineage.json). */
  bestRun?: BestRun;
  /** The intervals the best model went through, oldest first: the hyperparameter schedule it was trained with. */
  lineage: PbtInterval[];
  /** Every interval of every member, by member then generation: the schedule each member followed. */
  intervals: PbtInterval[];
  /** Intervals that started from a copied checkpoint. */
  exploits: number;
  charts: string[];
  report: { html: string; md: string };
  seconds: number;
}

/** Options of {@link pbt}. */
export interface PbtOptions {
  /** Overrides the config's storage: a journal file path, or redis://host:port. */
  storage?: string;
  /**
   * Train intervals only (no report): one of any number of workers sharing the storage and the
   * run folder (`out`) with the process that runs `pbt` without it. Returns once the population
   * has finished.
   */
  worker?: boolean;
  /** Worker processes on this machine (default: the config's `parallel`; 1 trains in this process). */
  parallel?: number;
  /** The run folder (default runs/<name>; re-running resumes the run). */
  out?: string;
  /** Start afresh: a folder holding a PBT run (study.jsonl or summary.json) is deleted first instead of resumed. */
  replace?: boolean;
}

/** How a pbt worker process starts the line of the error it exits with. */
export const PBT_WORKER_ERROR = 'anneal pbt worker: ';

const interval = (s: PbtStep): PbtInterval => ({ member: s.member, generation: s.generation, parent: s.parent, exploited: s.exploited, score: s.score ?? null, hyperparameters: { ...s.hyperparameters } });

function loadPbt(pipeline: Pipeline, source: ConfigSource<Record<string, unknown>>): { config: PbtConfig; file: string } {
  if (typeof source === 'string') return { config: loadConfigFile(source, pbtConfigSchema), file: source };
  const parsed = pbtConfigSchema.safeParse(source);
  if (!parsed.success) throw new ConfigError(`invalid pbt config:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  return { config: parsed.data, file: join(pipeline.baseDir, 'pbt.json') };
}

/** JSON with object keys sorted, to compare stored settings. */
const stableJson = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));

/**
 * What makes a stored run the same run: a re-run with another base config, interval length or
 * metric would mix two experiments in one study, so it is refused (PopulationBasedTraining
 * checks population, generations, seed and space itself).
 */
async function checkSameRun(store: Storage, config: PbtConfig, base: Record<string, unknown>): Promise<void> {
  const identity = { base, epochsPerGeneration: config.epochsPerGeneration, metric: config.metric, quantile: config.quantile ?? null, perturbFactors: config.perturbFactors ?? null, resampleProbability: config.resampleProbability ?? null };
  await store.createStudy(config.name, config.direction, { loadIfExists: true });
  const stored = (await store.getStudy(config.name))?.userAttrs['anneal-pbt'];
  if (stored === undefined) return store.setStudyAttr(config.name, 'anneal-pbt', identity, 'user');
  if (stableJson(stored) !== stableJson(identity)) throw new ConfigError(`PBT run '${config.name}' was started with another base config, interval length, metric or explore settings; resume it with the same config, or start afresh (--force, or another name or folder)`);
}

/**
 * Population-based training over a fit config (see pbtConfigSchema): each member a run composed
 * by the pipeline in `<study>/members/<k>`, each interval a trial of the study `name` in the
 * storage (the journal `<study>/study.jsonl` by default, or Redis). Writes summary.json (best
 * member, lineage, every member's hyperparameter schedule), `best/` (the best member's model.onnx,
 * its config with the final hyperparameters, lineage.json), report.html/.md with the schedule
 * charts. Re-running on the same folder and storage resumes exactly: finished intervals are
 * kept, members continue from their checkpoints, the decisions replay from the scores.
 *
 * The intervals are claimed from the storage by whichever process is free: with `parallel` > 1
 * this process starts that many worker processes and writes the report when the population has
 * finished; `worker` only trains (other processes or machines; with Redis they must share the
 * run folder, where checkpoints and member runs live). The result is the same in every case.
 * Returns undefined for a worker.
 */
export async function pbt(pipeline: Pipeline, source: ConfigSource<Record<string, unknown>>, options: PbtOptions = {}): Promise<PbtSummary | undefined> {
  const started = performance.now();
  const { config, file } = loadPbt(pipeline, source);
  const raw = loadBaseConfig(config.base, file);
  const epochs = config.generations * config.epochsPerGeneration;
  const threads = (raw.train as { threads?: unknown } | undefined)?.threads;
  // members exchange checkpoints and a resume must compute the same numbers: one fixed thread count ('auto' would time it per member)
  const base = setPath(setPath(raw, 'train.epochs', epochs), 'train.threads', typeof threads === 'number' ? threads : 1);
  await pipeline.check(validateFitConfig(base, `${file} (base)`));
  const dir = options.out ?? join(pipeline.runsDir, config.name);
  if (options.replace && !options.worker && ['study.jsonl', 'summary.json'].some((f) => existsSync(join(dir, f)))) rmSync(dir, { recursive: true, force: true });
  ensureDir(dir);
  const storage: PluginSpec = storageSpec(options.storage ?? config.storage, dir);
  const c = childContainer(pipeline.container, await loadPluginPackages(pluginPackages({ pbt: { ...config, base: undefined }, storage, base }), pipeline.baseDir));
  const store = await c.resolve(PLUGIN_REGISTRY).build('storage', storage, 'storage', { dir });
  const log = (s: string) => pipeline.io.err(s);
  const space: Record<string, Distribution> = Object.fromEntries(Object.entries(config.space).map(([p, d]) => [p, distributionOf(d)]));
  const seed = (base.seed as number | undefined) ?? 0;
  const tests = new Map<string, TestScore>();
  try {
    await checkSameRun(store, config, base);
    const done = (await store.getTrials(config.name, ['complete'])).length;
    const parallel = options.worker ? 1 : (options.parallel ?? config.parallel);
    if (!options.worker) log(`anneal pbt: ${config.name}: ${config.population} members x ${config.generations} generations of ${config.epochsPerGeneration} epoch${config.epochsPerGeneration === 1 ? '' : 's'} (train.epochs ${epochs}) on ${describeStorage(storage)}${done ? `, resuming after ${done} finished intervals` : ''}${parallel > 1 ? `; ${parallel} worker processes` : ''}`);
    const run = new PopulationBasedTraining({
      name: config.name,
      storage: store,
      directory: join(dir, 'checkpoints'),
      space,
      population: config.population,
      generations: config.generations,
      direction: config.direction,
      seed: config.seed,
      quantile: config.quantile,
      perturbFactors: config.perturbFactors,
      resampleProbability: config.resampleProbability,
      concurrency: config.concurrency,
      keepCheckpoints: config.keepCheckpoints,
      heartbeat: config.heartbeat,
      log,
      createMember: async (k) =>
        pipelineMember({
          container: c,
          index: k,
          dir: join(dir, 'members', String(k)),
          base: { ...base, name: `${config.name}-member-${k}`, seed: seed + k },
          space: config.space,
          metric: config.metric,
          epochsPerGeneration: config.epochsPerGeneration,
          baseDir: pipeline.baseDir,
          onInterval: (summary) => void tests.set(String(k), summary.test),
        }),
      onStep: (s) => {
        const hp = Object.entries(s.hyperparameters).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : JSON.stringify(v)}`).join(' ');
        log(`member ${s.member}, generation ${s.generation}${s.exploited ? ` (copied member ${s.parent})` : ''}: ${hp} -> ${config.metric} ${s.score === undefined || Number.isNaN(s.score) ? 'NaN (diverged)' : s.score.toFixed(4)}`);
      },
    });
    if (options.worker) {
      await run.work();
      return undefined;
    }
    await run.prepare();
    if (parallel === 1) await run.work();
    else {
      // the storage as this process resolved it (a journal path relative to this process's working directory)
      const given = typeof (options.storage ?? config.storage) === 'string' ? String(storage.type === 'redis' ? storage.url : storage.path) : undefined;
      // a worker exits 0 only once the population has finished: with none, it did not
      await runCommandWorkers(pipeline, {
        entry: 'pbt-worker',
        from: import.meta.url,
        source,
        resolved: { ...(source as Record<string, unknown>), base: raw },
        command: 'pbt',
        dir,
        parallel,
        options: { storage: given },
        errorPrefix: PBT_WORKER_ERROR,
        unfinished: `the population-based training '${config.name}' in ${describeStorage(storage)} did not finish`,
        code: 'PBT_WORKERS',
        someFailed: (failed) => `warning: ${failed} worker(s) exited with an error; their intervals were failed and retrained by the others`,
      });
    }
    return await finish(store, config, await run.result(), dir, describeStorage(storage), tests, started);
  } finally {
    await store.close();
  }
}

/** Copies the best member's run to `<study>/best`, writes the report and summary.json. */
async function finish(store: Storage, config: PbtConfig, result: PbtResult, dir: string, storage: string, tests: Map<string, TestScore>, started: number): Promise<PbtSummary> {
  const best = result.best;
  const memberDir = join(dir, 'members', String(best.member));
  const to = join(dir, 'best');
  rmSync(to, { recursive: true, force: true });
  const bestRun = copyTrialRun(memberDir, to, `${config.name}-best`);
  const lineage = result.lineage.map(interval);
  if (bestRun) writeFileAtomic(join(to, 'lineage.json'), JSON.stringify(lineage, null, 2) + '\n');
  // the member's last interval wrote its test score into its summary (also when this process resumed after it)
  const summaryFile = join(memberDir, 'summary.json');
  const test = tests.get(String(best.member)) ?? (existsSync(summaryFile) ? (JSON.parse(readFileSync(summaryFile, 'utf8')) as { test?: TestScore }).test : undefined);
  const trials = await store.getTrials(config.name);
  const written = await writePbtReport(dir, { config, storage, trials, result, bestRun, test });
  const summary: PbtSummary = {
    study: config.name,
    dir,
    storage,
    population: config.population,
    generations: config.generations,
    epochsPerGeneration: config.epochsPerGeneration,
    metric: config.metric,
    direction: config.direction,
    best: { member: best.member, score: best.score ?? NaN, hyperparameters: { ...best.hyperparameters }, ...(test ? { test } : {}), dir: memberDir },
    ...(bestRun ? { bestRun } : {}),
    lineage,
    intervals: result.steps.filter((s) => s.state === 'complete').map(interval),
    exploits: result.steps.filter((s) => s.state === 'complete' && s.exploited).length,
    charts: written.charts,
    report: { html: written.html, md: written.md },
    seconds: (performance.now() - started) / 1000,
  };
  writeFileAtomic(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}
