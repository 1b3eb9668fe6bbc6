/**
 * A deterministic in-memory driver that runs a sampler the way a study does, without storage or
 * workers: for testing samplers (and for the sampler conformance suite in @anneal/testing).
 */
import { DistributionError, TrialStateError } from '../errors.js';
import { checkDistribution, contains, describeDistribution, sameDistribution } from '../distributions.js';
import type { Direction, Distribution, FrozenTrial, ParamValue, Sampler, StudyView } from '../types.js';

/** What an objective sees of a trial in {@link SamplerLoop}. */
export interface LoopTrial {
  readonly number: number;
  /** The value of a parameter: relative sample when it covers `name` with this distribution, else `sampleIndependent`. */
  suggest(name: string, distribution: Distribution): ParamValue;
  /** Records an intermediate value (pruned trials are ranked by their last one). */
  report(step: number, value: number): void;
}

/** A started trial of a {@link SamplerLoop}: suggest, report, then finish once. */
export interface RunningLoopTrial extends LoopTrial {
  /** The trial as stored right now. */
  readonly frozen: FrozenTrial;
  /** Ends the trial (a number is a complete trial's value) and calls the sampler's `afterTrial`. */
  finish(outcome: LoopOutcome): FrozenTrial;
}

/** How a trial ends: its value (complete), or an explicit state. */
export type LoopOutcome = number | { readonly state: 'complete' | 'pruned' | 'fail'; readonly value?: number; readonly values?: readonly number[] };

/** A define-by-run objective for {@link SamplerLoop.run}. */
export type LoopObjective = (trial: LoopTrial) => LoopOutcome;

/** Options of {@link SamplerLoop}. */
export interface SamplerLoopOptions {
  readonly direction?: Direction;
  /** One direction per objective for a multi-objective loop (finish trials with `{ state: 'complete', values }`). */
  readonly directions?: readonly Direction[];
  /** Study name (default 'loop'). */
  readonly name?: string;
  /** Trials already in the study (other workers' trials, enqueued ones); numbers continue after them. */
  readonly trials?: readonly FrozenTrial[];
}

/**
 * Runs trials against a sampler exactly as a study would: a snapshot of all trials (the new
 * running one included) when a trial starts, `inferRelativeSpace` + `sampleRelative` once, then
 * `sampleIndependent` for each suggested parameter the relative sample does not cover (or covers
 * with another distribution), and `afterTrial` with a fresh snapshot when it ends. Every value a
 * sampler returns is checked against its distribution (DistributionError otherwise). Several
 * trials may run at once (start them, finish later) to mimic parallel workers.
 *
 * @example
 * ```ts
 * const loop = new SamplerLoop(new TpeSampler({ seed: 1 }), { direction: 'minimize' });
 * loop.run((t) => ((t.suggest('x', { kind: 'float', low: -5, high: 5 }) as number) - 1) ** 2, 50);
 * const best = Math.min(...loop.trials.map((t) => t.value ?? Infinity));
 * ```
 */
export class SamplerLoop {
  readonly direction: Direction;
  readonly directions?: readonly Direction[];
  readonly name: string;
  private readonly all: FrozenTrial[];
  private clock = 0;

  constructor(
    readonly sampler: Sampler,
    options: SamplerLoopOptions = {},
  ) {
    this.direction = options.directions?.[0] ?? options.direction ?? 'minimize';
    if (options.directions && options.directions.length > 1) this.directions = [...options.directions];
    this.name = options.name ?? 'loop';
    this.all = [...(options.trials ?? [])];
    this.all.forEach((t, i) => {
      if (t.number !== i) throw new TrialStateError(`SamplerLoop: given trial ${t.id} has number ${t.number}, expected ${i} (trials must be dense and in number order)`);
    });
  }

  /** All trials so far, in number order. */
  get trials(): readonly FrozenTrial[] {
    return [...this.all];
  }

  /** A snapshot as a sampler sees it. */
  view(): StudyView {
    return { name: this.name, direction: this.direction, ...(this.directions ? { directions: this.directions } : {}), trials: [...this.all] };
  }

  /** Starts a running trial (relative sampling happens here). */
  start(): RunningLoopTrial {
    const number = this.all.length;
    let frozen: FrozenTrial = {
      id: `${this.name}#${number}`,
      number,
      state: 'running',
      params: {},
      distributions: {},
      intermediate: {},
      startedAt: ++this.clock,
      userAttrs: {},
      systemAttrs: {},
    };
    this.all.push(frozen);
    const sampler = this.sampler;
    const snapshot = this.view();
    const space = sampler.inferRelativeSpace?.(snapshot, frozen) ?? {};
    const relative = Object.keys(space).length && sampler.sampleRelative ? sampler.sampleRelative(snapshot, frozen, space) : {};
    for (const [name, value] of Object.entries(relative)) {
      const d = space[name];
      if (!d) throw new DistributionError(name, `sampler '${sampler.name}' sampleRelative returned a parameter outside its relative space [${Object.keys(space).join(', ')}]`);
      if (!contains(d, value)) throw new DistributionError(name, `sampler '${sampler.name}' sampleRelative returned ${JSON.stringify(value)}, outside ${describeDistribution(d)}`);
    }
    const update = (next: FrozenTrial): void => {
      frozen = next;
      this.all[number] = next;
    };
    const loop = this;
    let finished = false;
    const ensureRunning = (what: string): void => {
      if (finished) throw new TrialStateError(`SamplerLoop: trial ${number} already finished; cannot ${what}`);
    };
    return {
      number,
      get frozen() {
        return frozen;
      },
      suggest(name, distribution) {
        ensureRunning(`suggest '${name}'`);
        checkDistribution(name, distribution);
        const previous = frozen.distributions[name];
        if (previous) {
          if (!sameDistribution(previous, distribution)) throw new TrialStateError(`trial ${number} asked for '${name}' with ${describeDistribution(distribution)} after ${describeDistribution(previous)}`);
          return frozen.params[name]!;
        }
        const d = space[name];
        const value = d && name in relative && sameDistribution(d, distribution) ? relative[name]! : sampler.sampleIndependent(snapshot, frozen, name, distribution);
        if (!contains(distribution, value)) throw new DistributionError(name, `sampler '${sampler.name}' returned ${JSON.stringify(value)}, outside ${describeDistribution(distribution)}`);
        update({ ...frozen, params: { ...frozen.params, [name]: value }, distributions: { ...frozen.distributions, [name]: distribution } });
        return value;
      },
      report(step, value) {
        ensureRunning(`report step ${step}`);
        update({ ...frozen, intermediate: { ...frozen.intermediate, [step]: value } });
      },
      finish(outcome) {
        ensureRunning('finish it again');
        finished = true;
        const state = typeof outcome === 'number' ? 'complete' : outcome.state;
        const steps = Object.keys(frozen.intermediate).map(Number);
        const last = steps.length ? frozen.intermediate[Math.max(...steps)] : undefined;
        const value = typeof outcome === 'number' ? outcome : outcome.value ?? (state === 'pruned' ? last : undefined);
        const values = typeof outcome === 'number' ? undefined : outcome.values;
        update({ ...frozen, state, ...(value !== undefined && state !== 'fail' ? { value } : {}), ...(values && state === 'complete' ? { values: [...values] } : {}), completedAt: ++loop.clock, ...(state === 'fail' ? { error: 'failed in SamplerLoop' } : {}) });
        sampler.afterTrial?.(loop.view(), frozen);
        return frozen;
      },
    };
  }

  /** Runs `nTrials` trials one after another; an objective that throws fails its trial (the error is rethrown). */
  run(objective: LoopObjective, nTrials: number): FrozenTrial[] {
    const out: FrozenTrial[] = [];
    for (let i = 0; i < nTrials; i++) {
      const trial = this.start();
      let outcome: LoopOutcome;
      try {
        outcome = objective(trial);
      } catch (error) {
        trial.finish({ state: 'fail' });
        throw error;
      }
      out.push(trial.finish(outcome));
    }
    return out;
  }
}

/** The value {@link runSamplerLoop} gives a trial of a plain space: the sum of its numeric values and choice indices. */
function spaceValue(params: Readonly<Record<string, ParamValue>>, space: Readonly<Record<string, Distribution>>): number {
  let sum = 0;
  for (const [name, d] of Object.entries(space)) {
    const v = params[name];
    sum += d.kind === 'categorical' ? d.choices.indexOf(v ?? null) : (v as number);
  }
  return sum;
}

/**
 * Runs `nTrials` sequential trials of `sampler` on a fixed space (every parameter suggested, value
 * = `value(params)` or the sum of numeric values and choice indices) or on a define-by-run
 * objective, and returns the trials.
 *
 * @example
 * ```ts
 * const trials = runSamplerLoop(new QmcSampler({ seed: 3 }), { x: { kind: 'float', low: 0, high: 1 } }, 64);
 * ```
 */
export function runSamplerLoop(
  sampler: Sampler,
  spaceOrObjective: Readonly<Record<string, Distribution>> | LoopObjective,
  nTrials: number,
  direction: Direction = 'minimize',
  options: Omit<SamplerLoopOptions, 'direction'> & { readonly value?: (params: Readonly<Record<string, ParamValue>>) => number } = {},
): FrozenTrial[] {
  const loop = new SamplerLoop(sampler, { ...options, direction });
  if (typeof spaceOrObjective === 'function') return loop.run(spaceOrObjective, nTrials);
  const space = spaceOrObjective;
  return loop.run((trial) => {
    const params: Record<string, ParamValue> = {};
    for (const [name, d] of Object.entries(space)) params[name] = trial.suggest(name, d);
    return options.value ? options.value(params) : spaceValue(params, space);
  }, nTrials);
}
