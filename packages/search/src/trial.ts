import { checkDistribution, contains, describeDistribution, isSingle, sameDistribution } from './distributions.js';
import { DistributionError, TrialStateError } from './errors.js';
import type { Direction, Distribution, FrozenTrial, ParamValue, Pruner, Sampler, Storage, StudyView } from './types.js';

/** What a Trial needs from its study (made by Study.ask). */
export interface TrialContext {
  readonly storage: Storage;
  readonly sampler: Sampler;
  readonly pruner?: Pruner;
  readonly study: string;
  readonly direction: Direction;
  /** Set (two or more) in a multi-objective study. */
  readonly directions?: readonly Direction[];
}

/** The relative sampling done when the trial started. */
export interface RelativeSample {
  readonly space: Readonly<Record<string, Distribution>>;
  readonly values: Readonly<Record<string, ParamValue>>;
}

/**
 * One evaluation of the objective, handed to it by `Study.optimize` or `Study.ask`. Parameters
 * are asked define-by-run: the search space is whatever the code asks for, so conditional spaces
 * are plain `if`s. `suggest*` return at once (sampled from the snapshot taken when the trial
 * started); the values are written to the storage in the background and `tell` waits for them.
 *
 * @example
 * const objective = (trial: Trial) => {
 *   const lr = trial.suggestFloat('lr', 1e-5, 1e-1, { log: true });
 *   const opt = trial.suggestCategorical('optimizer', ['sgd', 'adam'] as const);
 *   const momentum = opt === 'sgd' ? trial.suggestFloat('momentum', 0, 0.99) : 0;
 *   return train({ lr, opt, momentum });
 * };
 */
export class Trial {
  readonly number: number;
  readonly id: string;
  private readonly values: Record<string, ParamValue> = {};
  private readonly dists: Record<string, Distribution> = {};
  private readonly intermediate: Record<number, number> = {};
  private writes: Promise<void> = Promise.resolve();
  private writeError: unknown;
  private ended = false;

  /** Made by `Study.ask`; `fixed` are the values of an enqueued (waiting) trial or of `ask(fixed)`. */
  constructor(
    private readonly ctx: TrialContext,
    private readonly frozen: FrozenTrial,
    private readonly view: StudyView,
    private readonly relative: RelativeSample | undefined,
    private readonly fixed: Readonly<Record<string, ParamValue>>,
  ) {
    this.number = frozen.number;
    this.id = frozen.id;
  }

  /** Parameters asked so far (name -> value). */
  get params(): Readonly<Record<string, ParamValue>> {
    return this.values;
  }

  /**
   * A real in [low, high]: `log` samples uniformly in log space (low > 0), `step` restricts it
   * to low + k*step.
   */
  suggestFloat(name: string, low: number, high: number, options: { log?: boolean; step?: number } = {}): number {
    return this.suggest(name, numeric('float', low, high, options)) as number;
  }

  /** An integer in [low, high] (both included) on low + k*step; `log` samples in log space. */
  suggestInt(name: string, low: number, high: number, options: { log?: boolean; step?: number } = {}): number {
    return this.suggest(name, numeric('int', low, high, options)) as number;
  }

  /** One of `choices` (strings, numbers, booleans or null). */
  suggestCategorical<T extends ParamValue>(name: string, choices: readonly T[]): T {
    return this.suggest(name, { kind: 'categorical', choices: [...choices] }) as T;
  }

  /** Stores an intermediate value (e.g. the validation loss of epoch `step`) for pruners and charts. */
  async report(value: number, step: number): Promise<void> {
    this.assertOpen(`report step ${step}`);
    if (!Number.isInteger(step) || step < 0) throw new TrialStateError(`trial ${this.number}: report step must be an integer >= 0, got ${step}`);
    if (typeof value !== 'number') throw new TrialStateError(`trial ${this.number}: report value of step ${step} must be a number, got ${JSON.stringify(value)}`);
    this.intermediate[step] = value;
    this.queue(() => this.ctx.storage.reportIntermediate(this.id, step, value));
    await this.settle();
  }

  /**
   * Whether the study's pruner would stop this trial now (false without a pruner). Throw
   * `new TrialPruned(step)` from the objective to stop it. Multi-objective studies cannot prune
   * (TrialStateError).
   */
  async shouldPrune(): Promise<boolean> {
    const pruner = this.ctx.pruner;
    if (!pruner) return false;
    if (this.ctx.directions) throw new TrialStateError(`trial ${this.number} of study '${this.ctx.study}': pruners rank one objective, but the study has ${this.ctx.directions.length}; create the study without a pruner`);
    await this.settle();
    const trials = await this.ctx.storage.getTrials(this.ctx.study);
    const self = trials[this.number]?.id === this.id ? trials[this.number] : trials.find((t) => t.id === this.id);
    if (!self) throw new TrialStateError(`trial ${this.number} ('${this.id}') is missing from study '${this.ctx.study}'`);
    return pruner.shouldPrune({ name: this.ctx.study, direction: this.ctx.direction, trials }, self);
  }

  /** Stores a JSON-able value with the trial (a checkpoint path, a metric...). */
  async setUserAttr(key: string, value: unknown): Promise<void> {
    this.queue(() => this.ctx.storage.setTrialAttr(this.id, key, value, 'user'));
    await this.settle();
  }

  private suggest(name: string, d: Distribution): ParamValue {
    this.assertOpen(`suggest '${name}'`);
    const prev = this.dists[name];
    if (prev) {
      if (!sameDistribution(prev, d)) throw new TrialStateError(`trial ${this.number} asked for '${name}' as ${describeDistribution(d)} but earlier as ${describeDistribution(prev)}; ask each parameter name with one distribution (or use another name)`);
      return this.values[name]!;
    }
    checkDistribution(name, d);
    let value: ParamValue;
    if (Object.hasOwn(this.fixed, name)) {
      const stored = this.frozen.distributions[name];
      if (stored && !sameDistribution(stored, d)) throw new TrialStateError(`trial ${this.number} was enqueued with '${name}' as ${describeDistribution(stored)} but the objective asks for ${describeDistribution(d)}`);
      value = this.fixed[name]!;
      if (!contains(d, value)) throw new DistributionError(name, `the fixed value ${JSON.stringify(value)} of trial ${this.number} is outside ${describeDistribution(d)}; enqueue a value inside the range the objective asks for`);
    } else if (isSingle(d)) {
      value = d.kind === 'categorical' ? d.choices[0]! : d.low;
    } else {
      const rel = this.relative;
      const relD = rel?.space[name];
      if (rel && relD && Object.hasOwn(rel.values, name) && sameDistribution(relD, d)) value = rel.values[name]!;
      else value = this.ctx.sampler.sampleIndependent(this.view, this.snapshot(), name, d);
      if (!contains(d, value)) throw new DistributionError(name, `sampler '${this.ctx.sampler.name}' returned ${JSON.stringify(value)}, outside ${describeDistribution(d)}; the sampler is faulty`);
    }
    this.values[name] = value;
    this.dists[name] = d;
    this.queue(() => this.ctx.storage.setParam(this.id, name, d, value));
    return value;
  }

  /** The trial as the sampler sees it now (its parameters so far). */
  private snapshot(): FrozenTrial {
    return { ...this.frozen, params: { ...this.frozen.params, ...this.values }, distributions: { ...this.frozen.distributions, ...this.dists } };
  }

  private queue(write: () => Promise<void>): void {
    this.writes = this.writes.then(write).catch((e: unknown) => {
      this.writeError ??= e;
    });
  }

  private async settle(): Promise<void> {
    await this.writes;
    if (this.writeError !== undefined) throw this.writeError;
  }

  private assertOpen(what: string): void {
    if (this.ended) throw new TrialStateError(`cannot ${what}: trial ${this.number} of study '${this.ctx.study}' has already been told its result`);
  }
}

/**
 * Closes a trial to further suggestions and waits for its queued storage writes (rethrowing the
 * first failure); returns the intermediate values it reported. For Study.tell, not exported.
 */
export async function endTrial(trial: Trial): Promise<Readonly<Record<number, number>>> {
  trial['ended'] = true;
  await trial['settle']();
  return trial['intermediate'];
}

function numeric(kind: 'float' | 'int', low: number, high: number, options: { log?: boolean; step?: number }): Distribution {
  const d: { kind: 'float' | 'int'; low: number; high: number; log?: boolean; step?: number } = { kind, low, high };
  if (options.log) d.log = true;
  if (options.step !== undefined) d.step = options.step;
  return d;
}
