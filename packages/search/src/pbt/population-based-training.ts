import { join } from 'node:path';
import { seededRandom } from '@anneal/data';
import { checkDistribution } from '../distributions.js';
import { SearchError } from '../errors.js';
import { combineSeed, defaultSeed } from '../samplers/seeding.js';
import { fromUnit } from '../samplers/unit-cube.js';
import { MemoryStorage } from '../storage/memory-storage.js';
import type { Distribution, ParamValue, Storage } from '../types.js';
import { defaultWorkerId } from '../worker-id.js';
import { planNextGeneration, type ExploreSettings } from './pbt-explore.js';
import type { PbtMember } from './pbt-member.js';
import { pbtOptions, type PbtConfig } from './pbt-options.js';
import { byInterval, deadLocalWorker, enqueueInterval, failAndRequeue, INTERRUPTED, isPending } from './pbt-queue.js';
import { pbtLineage, pbtSteps, type PbtStep } from './pbt-record.js';
import { generationComplete, PbtRunner } from './pbt-runner.js';

/** Options of {@link PopulationBasedTraining}: the config part plus what only code can give. */
export interface PbtRunOptions extends PbtConfig {
  /** Study name the run is stored under (resumed when it exists). */
  readonly name: string;
  /** Default: a new MemoryStorage (one process; use a JournalStorage or RedisStorage to share the run between processes and resume it). */
  readonly storage?: Storage;
  /** Folder for the members' checkpoints (`member-<i>/generation-<g>.ckpt`); every process of a run must see the same folder. */
  readonly directory: string;
  /** The hyperparameters members get, explore and resample from. */
  readonly space: Readonly<Record<string, Distribution>>;
  /** Makes member `index` in its initial state (the same state every time it is called with that index, in any process). */
  readonly createMember: (index: number) => Promise<PbtMember>;
  /** Generation 0's values of the space's hyperparameters for a member (default: drawn from `space`, seeded). */
  readonly initial?: (index: number) => Record<string, ParamValue>;
  /** Called after every interval this process finished. */
  readonly onStep?: (step: PbtStep) => void;
  /** Name stored on the intervals this process trains (default host:pid:random). */
  readonly worker?: string;
  /** Told what happens besides finished intervals: lost workers' intervals enqueued again, intervals dropped or given back, waiting for the run to start. */
  readonly log?: (line: string) => void;
}

/** What {@link PopulationBasedTraining.run} returns. */
export interface PbtResult {
  /** Every interval, by member then generation. */
  readonly steps: readonly PbtStep[];
  /** The best interval of the last generation. */
  readonly best: PbtStep;
  /** The intervals the best model went through (its hyperparameter schedule), oldest first. */
  readonly lineage: readonly PbtStep[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Population-based training (Jaderberg et al. 2017): `population` members train side by side
 * for `generations` intervals; after each interval the bottom `quantile` load the checkpoint of a
 * random member of the top `quantile` (exploit) and perturb its hyperparameters by
 * `perturbFactors` or redraw them (explore). Every interval is a trial of the study `name` in
 * `storage` (memory, journal or Redis), so members, generations, lineage and the hyperparameter
 * schedule of each member are recorded (see pbtSteps, pbtLineage, writePbtCharts).
 *
 * The intervals are a work queue in the study: each is enqueued as a waiting trial (its
 * hyperparameters, and the `pbt` attribute: member, generation, parent, checkpoint) and trained
 * by whichever process claims it, so `work()` in other processes or on other machines (sharing
 * the storage and the checkpoint folder) trains a run beside `run()`. A generation is enqueued
 * once the previous one is complete, by the process holding its last member's interval; its plan
 * depends only on the scores and the seed, so any process computes it and the result is the
 * same however many processes train. Running intervals send heartbeats; one silent for
 * `heartbeat.graceMs` (a lost process) is failed and retrained by another process, and the
 * intervals of killed processes of this machine are retrained when a run starts.
 *
 * Members restore exactly from their checkpoints, so `run()` on a study that was interrupted
 * resumes it and ends as the uninterrupted run would.
 *
 * @example
 * ```ts
 * const pbt = new PopulationBasedTraining({
 *   name: 'pbt-mnist', storage: new JournalStorage('runs/pbt.jsonl'), directory: 'runs/pbt',
 *   population: 8, generations: 10, direction: 'maximize', seed: 1,
 *   space: { lr: { kind: 'float', low: 1e-3, high: 1, log: true } },
 *   createMember: (i) => mnistMember(i),
 * });
 * const { best, lineage } = await pbt.run(); // meanwhile, in other processes: await pbt.work()
 * ```
 */
export class PopulationBasedTraining {
  private readonly config: Required<Omit<PbtConfig, 'seed'>> & { seed: number };
  private readonly storage: Storage;

  constructor(private readonly options: PbtRunOptions) {
    const { name: _n, storage: _s, directory: _d, space: _sp, createMember: _c, initial: _i, onStep: _o, worker: _w, log: _l, ...config } = options;
    const parsed = pbtOptions.safeParse(config);
    if (!parsed.success) throw new SearchError('PBT_OPTIONS', `population-based training '${options.name}': ${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')}`);
    for (const [name, d] of Object.entries(options.space)) checkDistribution(name, d);
    const c = parsed.data;
    const heartbeat = c.heartbeat ?? { intervalMs: 1000, graceMs: 10_000 };
    if (heartbeat.graceMs <= heartbeat.intervalMs) throw new SearchError('PBT_OPTIONS', `population-based training '${options.name}': heartbeat.graceMs (${heartbeat.graceMs}) must exceed heartbeat.intervalMs (${heartbeat.intervalMs}), by a few intervals, so a busy process is not taken for lost`);
    this.config = {
      ...c,
      seed: c.seed ?? defaultSeed(),
      quantile: c.quantile ?? 0.25,
      perturbFactors: c.perturbFactors ?? [0.8, 1.2],
      resampleProbability: c.resampleProbability ?? 0.25,
      concurrency: c.concurrency ?? 1,
      keepCheckpoints: c.keepCheckpoints ?? false,
      heartbeat,
    };
    this.storage = options.storage ?? new MemoryStorage();
  }

  /** The checkpoint file of a member after a generation. */
  checkpointPath(member: number, generation: number): string {
    return join(this.options.directory, `member-${member}`, `generation-${generation}.ckpt`);
  }

  /** Runs (or resumes) the population to the last generation: {@link prepare}, {@link work}, {@link result}. */
  async run(): Promise<PbtResult> {
    await this.prepare();
    await this.work();
    return this.result();
  }

  /**
   * Starts or resumes the run without training: stores it (or checks that the stored run has the
   * same population, generations, seed and space), fails and enqueues again the intervals left
   * running by killed processes of this machine, and enqueues the intervals that are due and
   * missing (generation 0 of a new run). One process prepares a run; `work()` in any number of
   * processes trains it.
   */
  async prepare(): Promise<void> {
    const { name, space } = this.options;
    const storage = this.storage;
    const { population } = this.config;
    await storage.createStudy(name, this.config.direction, { loadIfExists: true });
    await this.checkRecord(true);
    let trials = await storage.getTrials(name);
    let groups = byInterval(trials);
    for (const { attr, trials: ts } of groups.values()) {
      for (const t of ts) if (t.state === 'running' && deadLocalWorker(t.worker)) await failAndRequeue(storage, name, t, attr, INTERRUPTED);
    }
    trials = await storage.getTrials(name);
    groups = byInterval(trials);
    // the first generation not complete: its coordinator enqueued it before finishing the previous one, unless a process stopped between failing one of its intervals and enqueueing it again
    let due = 0;
    while (due < this.config.generations && generationComplete(groups, population, due)) due++;
    if (due === this.config.generations) return;
    const plans = due === 0 ? Array.from({ length: population }, (_, m) => ({ parent: m, exploited: false, hyperparameters: this.initialValues(m) })) : this.planFromStored(groups, due - 1);
    for (let m = 0; m < population; m++) {
      const group = groups.get(`${m}/${due}`);
      if (isPending(group?.trials)) continue;
      const plan = plans[m]!;
      await enqueueInterval(storage, name, space, { member: m, generation: due, parent: plan.parent, exploited: plan.exploited, checkpoint: this.checkpointPath(m, due) }, plan.hyperparameters, group?.trials.at(-1)?.number);
    }
  }

  /**
   * Trains intervals of the run until its last generation is complete: claims waiting ones,
   * trains them (`concurrency` at once), and waits (polling every `heartbeat.intervalMs`) while
   * the others train elsewhere. Waits for the run to be prepared when it is not yet. Rejects with
   * the first error of a member (its interval is failed and enqueued again first).
   */
  async work(): Promise<void> {
    await this.checkRecord(false);
    const explore: ExploreSettings = this.config;
    const { population, generations, direction, concurrency, keepCheckpoints, heartbeat, seed } = this.config;
    await new PbtRunner({
      name: this.options.name,
      storage: this.storage,
      space: this.options.space,
      population,
      generations,
      direction,
      concurrency,
      keepCheckpoints,
      heartbeat,
      worker: this.options.worker ?? defaultWorkerId(),
      checkpointPath: (m, g) => this.checkpointPath(m, g),
      createMember: (m) => this.options.createMember(m),
      planAfter: (g, scores, current) => planNextGeneration(scores, current, this.options.space, direction, explore, seed, g),
      onStep: this.options.onStep,
      log: this.options.log,
    }).work();
  }

  /** The finished run read from the storage: every interval, the best of the last generation, its lineage. */
  async result(): Promise<PbtResult> {
    const { generations, direction } = this.config;
    const steps = pbtSteps(await this.storage.getTrials(this.options.name));
    const complete = steps.filter((s) => s.state === 'complete').length;
    if (complete < this.config.population * generations) throw new SearchError('PBT_STATE', `population-based training '${this.options.name}' has ${complete} of its ${this.config.population * generations} intervals complete; run() or work() it to the end first`);
    const last = steps.filter((s) => s.generation === generations - 1);
    const sign = direction === 'minimize' ? 1 : -1;
    const best = last.reduce((a, b) => (sign * (b.score ?? NaN) < sign * (a.score ?? NaN) || Number.isNaN(a.score ?? NaN) ? b : a));
    return { steps, best, lineage: pbtLineage(steps, best.member, generations - 1) };
  }

  /**
   * Checks the stored run against this one's settings (a seed not given is the stored one's);
   * `store` records them when the study has none, else this waits until the study and its
   * record exist (a worker started before the run).
   */
  private async checkRecord(store: boolean): Promise<void> {
    const { name, space } = this.options;
    const { population, generations, direction } = this.config;
    let said = false;
    for (;;) {
      const study = await this.storage.getStudy(name);
      const stored = study?.systemAttrs.pbt as { seed?: number } | undefined;
      if (study && study.direction !== direction) throw new SearchError('PBT_RESUME', `population-based training '${name}' is stored to ${study.direction}, not to ${direction}; use the same direction, or another name`);
      if (stored !== undefined) {
        if (this.options.seed === undefined && typeof stored.seed === 'number') this.config.seed = stored.seed;
        const record = { population, generations, seed: this.config.seed, space };
        if (sortedJson(stored) !== sortedJson(record)) throw new SearchError('PBT_RESUME', `population-based training '${name}' was stored with ${JSON.stringify(stored)}; resume it with the same population, generations, seed and space, or use another name`);
        return;
      }
      if (store) return this.storage.setStudyAttr(name, 'pbt', { population, generations, seed: this.config.seed, space }, 'system');
      if (!said) this.options.log?.(`waiting for the population-based training '${name}' to be started in the storage (run() or prepare() in one process)`);
      said = true;
      await sleep(this.config.heartbeat.intervalMs);
    }
  }

  /** The plans of generation `generation + 1`, from the stored complete intervals of `generation`. */
  private planFromStored(groups: ReturnType<typeof byInterval>, generation: number) {
    const done = Array.from({ length: this.config.population }, (_, m) => groups.get(`${m}/${generation}`)!.trials.find((t) => t.state === 'complete')!);
    return planNextGeneration(done.map((t) => t.value ?? NaN), done.map((t) => t.params), this.options.space, this.config.direction, this.config, this.config.seed, generation);
  }

  private initialValues(m: number): Record<string, ParamValue> {
    if (this.options.initial) return this.options.initial(m);
    const rand = seededRandom(combineSeed(this.config.seed, 'pbt/initial', m));
    return Object.fromEntries(Object.keys(this.options.space).sort().map((name) => [name, fromUnit(this.options.space[name]!, rand())]));
  }
}

/** JSON with object keys sorted (storages may store attributes with their keys reordered, as Redis does). */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
