import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '@anneal/data';
import { checkDistribution } from '../distributions.js';
import { SearchError } from '../errors.js';
import { combineSeed, defaultSeed } from '../samplers/seeding.js';
import { fromUnit } from '../samplers/unit-cube.js';
import { MemoryStorage } from '../storage/memory-storage.js';
import type { Distribution, ParamValue, Storage } from '../types.js';
import { defaultWorkerId } from '../worker-id.js';
import { planNextGeneration, type ExploreSettings, type MemberPlan } from './pbt-explore.js';
import type { PbtMember } from './pbt-member.js';
import { pbtOptions, type PbtConfig } from './pbt-options.js';
import { pbtLineage, pbtSteps, type PbtStep, type PbtStepAttr } from './pbt-record.js';

/** Options of {@link PopulationBasedTraining}: the config part plus what only code can give. */
export interface PbtRunOptions extends PbtConfig {
  /** Study name the run is stored under (resumed when it exists). */
  readonly name: string;
  /** Default: a new MemoryStorage (no resume across processes). */
  readonly storage?: Storage;
  /** Folder for the members' checkpoints (`member-<i>/generation-<g>.ckpt`). */
  readonly directory: string;
  /** The hyperparameters members get, explore and resample from. */
  readonly space: Readonly<Record<string, Distribution>>;
  /** Makes member `index` in its initial state (the same state every time it is called with that index). */
  readonly createMember: (index: number) => Promise<PbtMember>;
  /** Generation 0's hyperparameters of a member (default: drawn from `space`, seeded). */
  readonly initial?: (index: number) => Record<string, ParamValue>;
  /** Called after every finished interval. */
  readonly onStep?: (step: PbtStep) => void;
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

/**
 * Population-based training (Jaderberg et al. 2017): `population` members train side by side
 * for `generations` intervals; after each interval the bottom `quantile` load the checkpoint of a
 * random member of the top `quantile` (exploit) and perturb its hyperparameters by
 * `perturbFactors` or redraw them (explore). Every interval is a trial of the study `name` in
 * `storage` (memory, journal or Redis), so members, generations, lineage and the hyperparameter
 * schedule of each member are recorded (see pbtSteps, pbtLineage, writePbtCharts).
 *
 * Decisions depend only on the scores and the seed, and members restore exactly from their
 * checkpoints, so `run()` on a study that was interrupted resumes it: intervals left running are
 * marked failed and retrained from the previous generation's checkpoints, and the run ends as the
 * uninterrupted one would. One controller drives a run (members may train concurrently in it).
 *
 * @example
 * ```ts
 * const pbt = new PopulationBasedTraining({
 *   name: 'pbt-mnist', storage: new JournalStorage('runs/pbt.jsonl'), directory: 'runs/pbt',
 *   population: 8, generations: 10, direction: 'maximize', seed: 1,
 *   space: { lr: { kind: 'float', low: 1e-3, high: 1, log: true } },
 *   createMember: (i) => mnistMember(i),
 * });
 * const { best, lineage } = await pbt.run();
 * ```
 */
export class PopulationBasedTraining {
  private readonly config: Required<Omit<PbtConfig, 'seed'>> & { seed: number };

  constructor(private readonly options: PbtRunOptions) {
    const { name: _n, storage: _s, directory: _d, space: _sp, createMember: _c, initial: _i, onStep: _o, ...config } = options;
    const parsed = pbtOptions.safeParse(config);
    if (!parsed.success) throw new SearchError('PBT_OPTIONS', `population-based training '${options.name}': ${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')}`);
    for (const [name, d] of Object.entries(options.space)) checkDistribution(name, d);
    const c = parsed.data;
    this.config = {
      ...c,
      seed: c.seed ?? defaultSeed(),
      quantile: c.quantile ?? 0.25,
      perturbFactors: c.perturbFactors ?? [0.8, 1.2],
      resampleProbability: c.resampleProbability ?? 0.25,
      concurrency: c.concurrency ?? 1,
      keepCheckpoints: c.keepCheckpoints ?? false,
    };
  }

  /** The checkpoint file of a member after a generation. */
  checkpointPath(member: number, generation: number): string {
    return join(this.options.directory, `member-${member}`, `generation-${generation}.ckpt`);
  }

  /** Runs (or resumes) the population to the last generation. */
  async run(): Promise<PbtResult> {
    const { name, space } = this.options;
    const storage = this.options.storage ?? new MemoryStorage();
    const { population, generations, direction, seed } = this.config;
    await storage.createStudy(name, direction, { loadIfExists: true });
    const record = { population, generations, seed, space };
    const stored = (await storage.getStudy(name))?.systemAttrs.pbt;
    if (stored !== undefined && sortedJson(stored) !== sortedJson(record)) {
      throw new SearchError('PBT_RESUME', `population-based training '${name}' was stored with ${JSON.stringify(stored)}; resume it with the same population, generations, seed and space, or use another name`);
    }
    if (stored === undefined) await storage.setStudyAttr(name, 'pbt', record, 'system');
    // intervals left running by an interrupted run are retrained
    for (const t of await storage.getTrials(name, ['running'])) await storage.finishTrial(t.id, 'fail', { error: 'interrupted; retrained on resume' });
    const done = new Map(pbtSteps(await storage.getTrials(name)).filter((s) => s.state === 'complete').map((s) => [`${s.member}/${s.generation}`, s]));
    const explore: ExploreSettings = this.config;
    // replay the decisions of the generations already complete
    let plans: MemberPlan[] = Array.from({ length: population }, (_, m) => ({ parent: m, exploited: false, hyperparameters: this.initialValues(m) }));
    let start = 0;
    while (start < generations && Array.from({ length: population }, (_, m) => done.has(`${m}/${start}`)).every(Boolean)) {
      const scores = Array.from({ length: population }, (_, m) => done.get(`${m}/${start}`)!.score ?? NaN);
      if (start + 1 < generations) plans = planNextGeneration(scores, plans.map((p) => p.hyperparameters), space, direction, explore, seed, start);
      start++;
    }
    const members = await Promise.all(Array.from({ length: population }, (_, m) => this.options.createMember(m)));
    /** The generation whose end state each member holds in memory (-1: its initial state). */
    const holds = new Array<number>(population).fill(-1);
    const worker = defaultWorkerId();
    try {
      for (let g = start; g < generations; g++) {
        const queue = Array.from({ length: population }, (_, m) => m).filter((m) => !done.has(`${m}/${g}`));
        const runOne = async (m: number): Promise<void> => {
          const plan = plans[m]!;
          const member = members[m]!;
          if (g > 0 && !(plan.parent === m && holds[m] === g - 1)) await member.load(this.checkpointPath(plan.parent, g - 1));
          member.setHyperparameters(plan.hyperparameters);
          const checkpoint = this.checkpointPath(m, g);
          mkdirSync(join(this.options.directory, `member-${m}`), { recursive: true });
          const trial = await storage.startTrial(name, worker);
          for (const [p, d] of Object.entries(space)) if (plan.hyperparameters[p] !== undefined) await storage.setParam(trial.id, p, d, plan.hyperparameters[p]!);
          const attr: PbtStepAttr = { member: m, generation: g, parent: plan.parent, exploited: plan.exploited, checkpoint };
          await storage.setTrialAttr(trial.id, 'pbt', attr, 'system');
          const score = await member.train();
          await member.save(checkpoint);
          holds[m] = g;
          const finished = await storage.finishTrial(trial.id, 'complete', { value: score });
          const step: PbtStep = { ...attr, trial: finished.number, state: 'complete', score, hyperparameters: finished.params };
          done.set(`${m}/${g}`, step);
          this.options.onStep?.(step);
        };
        await Promise.all(Array.from({ length: Math.min(this.config.concurrency, queue.length) }, async () => {
          for (let m = queue.shift(); m !== undefined; m = queue.shift()) await runOne(m);
        }));
        const scores = Array.from({ length: population }, (_, m) => done.get(`${m}/${g}`)!.score ?? NaN);
        if (g + 1 < generations) plans = planNextGeneration(scores, plans.map((p) => p.hyperparameters), space, direction, explore, seed, g);
        if (!this.config.keepCheckpoints && g >= 1) for (let m = 0; m < population; m++) rmSync(this.checkpointPath(m, g - 1), { force: true });
      }
    } finally {
      await Promise.all(members.map((m) => m.release?.()));
    }
    const steps = pbtSteps(await storage.getTrials(name));
    const sign = direction === 'minimize' ? 1 : -1;
    const last = steps.filter((s) => s.generation === generations - 1 && s.state === 'complete');
    const best = last.reduce((a, b) => (sign * (b.score ?? NaN) < sign * (a.score ?? NaN) || Number.isNaN(a.score ?? NaN) ? b : a));
    return { steps, best, lineage: pbtLineage(steps, best.member, generations - 1) };
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
