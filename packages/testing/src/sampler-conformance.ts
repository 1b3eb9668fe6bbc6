import {
  SamplerLoop,
  contains,
  describeDistribution,
  isSingle,
  type Direction,
  type Distribution,
  type FrozenTrial,
  type LoopTrial,
  type ParamValue,
  type Sampler,
  type SamplerContext,
  type SamplerDescriptor,
} from '@anneal/search';
import { describe, it } from 'vitest';
import { descriptorContractChecks, noNestedSpecs, optionLabel, parseOptions } from './descriptor-contract.js';

/**
 * Every parameter the conformance objective suggests, with its distribution. `a_lr` and
 * `b_depth` are conditional on `branch`; `width` is suggested as int [1, 8] on branch 'a' and
 * int [4, 64] on branch 'b' (a range that changes between trials), listed here as the overlap
 * [4, 8]. A grid for the suite can take its values from here.
 */
export const SAMPLER_CONFORMANCE_SPACE: Readonly<Record<string, Distribution>> = {
  x_float: { kind: 'float', low: -2, high: 3 },
  x_log: { kind: 'float', low: 1e-5, high: 1, log: true },
  x_step: { kind: 'float', low: 0, high: 1, step: 0.1 },
  n_int: { kind: 'int', low: -3, high: 7 },
  n_step: { kind: 'int', low: 0, high: 20, step: 5 },
  n_log: { kind: 'int', low: 1, high: 1024, log: true },
  c_str: { kind: 'categorical', choices: ['adam', 'sgd', 'rmsprop'] },
  c_mixed: { kind: 'categorical', choices: [null, true, false, 1.5, 'x'] },
  one_float: { kind: 'float', low: 0.5, high: 0.5 },
  one_int: { kind: 'int', low: 3, high: 3 },
  one_step: { kind: 'float', low: 0, high: 0.05, step: 0.1 },
  one_cat: { kind: 'categorical', choices: ['only'] },
  branch: { kind: 'categorical', choices: ['a', 'b'] },
  a_lr: { kind: 'float', low: 1e-4, high: 1e-1, log: true },
  b_depth: { kind: 'int', low: 1, high: 8 },
  width: { kind: 'int', low: 4, high: 8 },
};

const WIDTH_A: Distribution = { kind: 'int', low: 1, high: 8 };
const WIDTH_B: Distribution = { kind: 'int', low: 4, high: 64 };
const UNCONDITIONAL = Object.keys(SAMPLER_CONFORMANCE_SPACE).filter((n) => !['a_lr', 'b_depth', 'width'].includes(n));

/** Options of {@link describeSamplerConformance}. */
export interface SamplerConformanceOptions {
  /** Trials per run (default 30: past a model-based sampler's usual startup). */
  readonly trials?: number;
}

/** One check of the suite; `run` throws an Error that says what is wrong. */
export interface SamplerConformanceCheck {
  readonly title: string;
  run(make: (seed: number) => Sampler, options?: SamplerConformanceOptions): void;
}

function fail(message: string): never {
  throw new Error(message);
}

/** The objective: all parameters, a value that depends on all of them. */
function objective(t: LoopTrial): number {
  const p: Record<string, ParamValue> = {};
  for (const name of UNCONDITIONAL) p[name] = t.suggest(name, SAMPLER_CONFORMANCE_SPACE[name]!);
  const choice = (name: string) => (SAMPLER_CONFORMANCE_SPACE[name] as { choices: readonly ParamValue[] }).choices.indexOf(p[name]!);
  let value =
    ((p.x_float as number) - 1) ** 2 +
    (Math.log10(p.x_log as number) + 2) ** 2 / 4 +
    (p.x_step as number) +
    Math.abs((p.n_int as number) - 2) / 3 +
    (p.n_step as number) / 20 +
    Math.log2(p.n_log as number) / 10 +
    choice('c_str') +
    choice('c_mixed') / 5;
  if (p.branch === 'a') value += -Math.log10(t.suggest('a_lr', SAMPLER_CONFORMANCE_SPACE.a_lr!) as number) / 4 + (t.suggest('width', WIDTH_A) as number) / 8;
  else value += (t.suggest('b_depth', SAMPLER_CONFORMANCE_SPACE.b_depth!) as number) / 8 + (t.suggest('width', WIDTH_B) as number) / 64;
  return value;
}

/**
 * A study with a rough history: a waiting trial, every 5th trial failed, every 5th pruned (with
 * intermediate values), and now and then a trial left running with only some parameters.
 */
function roughRun(sampler: Sampler, n: number, direction: Direction): SamplerLoop {
  const waiting: FrozenTrial = {
    id: 'enqueued-0', number: 0, state: 'waiting', params: { x_float: 0.5 }, distributions: { x_float: SAMPLER_CONFORMANCE_SPACE.x_float! }, intermediate: {}, userAttrs: {}, systemAttrs: {},
  };
  const loop = new SamplerLoop(sampler, { direction, trials: [waiting] });
  for (let i = 0; i < n; i++) {
    if (i % 7 === 3) {
      const left = loop.start(); // another worker's trial, still running
      left.suggest('x_float', SAMPLER_CONFORMANCE_SPACE.x_float!);
      left.suggest('c_str', SAMPLER_CONFORMANCE_SPACE.c_str!);
      continue;
    }
    loop.run((t) => {
      const v = objective(t);
      if (i % 5 === 1) return { state: 'fail' };
      if (i % 5 === 2) {
        for (let step = 0; step < 1 + (i % 3); step++) t.report(step, v * (3 - step));
        return { state: 'pruned' };
      }
      return direction === 'minimize' ? v : -v;
    }, 1);
  }
  return loop;
}

function paramsOf(loop: SamplerLoop): Record<string, ParamValue>[] {
  return loop.trials.map((t) => ({ ...t.params }));
}

function checkInside(trials: readonly FrozenTrial[], samplerName: string): void {
  for (const t of trials) {
    for (const [name, value] of Object.entries(t.params)) {
      const d = t.distributions[name] ?? fail(`trial ${t.number}: parameter '${name}' has no distribution`);
      if (!contains(d, value)) fail(`sampler '${samplerName}' gave '${name}' = ${JSON.stringify(value)} in trial ${t.number}, outside ${describeDistribution(d)}`);
      if (isSingle(d)) {
        const only = d.kind === 'categorical' ? d.choices[0] : d.low;
        if (value !== only) fail(`sampler '${samplerName}' gave single-valued '${name}' (${describeDistribution(d)}) the value ${JSON.stringify(value)}`);
      }
    }
    const branch = t.params.branch;
    if (t.state !== 'running' && t.state !== 'waiting' && branch !== undefined) {
      const expected = branch === 'a' ? 'a_lr' : 'b_depth';
      const other = branch === 'a' ? 'b_depth' : 'a_lr';
      if (!(expected in t.params) || other in t.params) fail(`trial ${t.number} (branch ${String(branch)}) should have '${expected}' and not '${other}'`);
    }
  }
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The checks {@link describeSamplerConformance} runs, for suites that want to run them their own way. */
export const samplerConformanceChecks: readonly SamplerConformanceCheck[] = (['minimize', 'maximize'] as const)
  .map(
    (direction): SamplerConformanceCheck => ({
      title: `keeps every value inside its distribution, with failed, pruned, running and waiting trials in the history (${direction})`,
      run(make, options) {
        const sampler = make(1);
        checkInside(roughRun(sampler, options?.trials ?? 30, direction).trials, sampler.name);
      },
    }),
  )
  .concat([
    {
      title: 'samples a first trial with an empty history',
      run(make) {
        const sampler = make(2);
        const loop = new SamplerLoop(sampler);
        loop.run(objective, 1);
        checkInside(loop.trials, sampler.name);
      },
    },
    {
      title: 'gives the same values for the same seed and history',
      run(make, options) {
        const a = paramsOf(roughRun(make(11), options?.trials ?? 30, 'minimize'));
        const b = paramsOf(roughRun(make(11), options?.trials ?? 30, 'minimize'));
        const i = a.findIndex((p, k) => !same(p, b[k]));
        if (i >= 0) fail(`two samplers made with seed 11 differ at trial ${i}: ${JSON.stringify(a[i])} vs ${JSON.stringify(b[i])}`);
      },
    },
    {
      title: 'depends only on the seed and the trials: a fresh instance given the same history agrees',
      run(make, options) {
        const loop = roughRun(make(12), options?.trials ?? 30, 'minimize');
        const trials = loop.trials;
        const last = trials.at(-1)!;
        const fresh = new SamplerLoop(make(12), { trials: trials.slice(0, -1) });
        const replay = fresh.start();
        for (const [name, d] of Object.entries(last.distributions)) {
          const v = replay.suggest(name, d);
          if (!same(v, last.params[name])) fail(`trial ${last.number}: a fresh sampler made with seed 12 and given the same ${trials.length - 1} trials chose ${name} = ${JSON.stringify(v)}, the original ${JSON.stringify(last.params[name])} (samplers must not keep state that changes their values)`);
        }
      },
    },
    {
      title: 'gives different values for different seeds',
      run(make, options) {
        const n = Math.min(options?.trials ?? 30, 20);
        const a = paramsOf(roughRun(make(1), n, 'minimize'));
        const b = paramsOf(roughRun(make(2), n, 'minimize'));
        if (same(a, b)) fail(`samplers made with seeds 1 and 2 gave identical values over ${n} trials; the seed must reach the sampling`);
      },
    },
  ]);

/** Inputs of {@link describeSamplerConformance} for a descriptor. */
export interface SamplerDescriptorCases extends SamplerConformanceOptions {
  /** Option sets the schema must accept; the sampler checks run on each. */
  readonly valid: readonly unknown[];
  /** Option sets the schema must reject. */
  readonly invalid: readonly unknown[];
  /**
   * The declared space the context gives `create` (default {@link SAMPLER_CONFORMANCE_SPACE}).
   * A sampler that samples only a declared space (a grid) needs one that covers every
   * parameter the suite suggests.
   */
  readonly space?: Readonly<Record<string, Distribution>>;
}

/** An option set with its own `seed` key (the built-ins' convention: it overrides the study's) set to `seed`. */
function withSeed(options: unknown, seed: number): unknown {
  return options && typeof options === 'object' && Object.hasOwn(options, 'seed') ? { ...options, seed } : options;
}

/**
 * Declares vitest blocks that check a sampler against the Sampler contract of @anneal/search:
 * every value inside its distribution (floats, logs, steps, ints, categoricals with null and
 * boolean choices, single-valued distributions), conditional parameters and ranges that change
 * between trials, failed / pruned / running / waiting trials in the history, both directions, an
 * empty history, same seed and history give the same values (a fresh instance too), different
 * seeds differ. `make(seed)` builds the sampler; the suite drives it with `SamplerLoop`, which
 * calls it exactly as a study does (relative sampling first, then independent).
 *
 * Given a descriptor instead, it also checks the plugin contract (kind, kebab-case id,
 * description, schema, independent instances) and runs the sampler checks on
 * `descriptor.create(options, { space, seed })` for every valid option set; the seed comes
 * through the context (and replaces an option set's own `seed`).
 *
 * @example
 * ```ts
 * // my-sampler.spec.ts
 * import { describeSamplerConformance } from '@anneal/testing';
 * describeSamplerConformance('my-sampler', (seed) => new MySampler({ seed }));
 * describeSamplerConformance(mySamplerDescriptor, { valid: [{}, { startup: 5 }], invalid: [{ startup: -1 }] });
 * ```
 */
export function describeSamplerConformance(name: string, make: (seed: number) => Sampler, options?: SamplerConformanceOptions): void;
export function describeSamplerConformance<O>(descriptor: SamplerDescriptor<O>, cases: SamplerDescriptorCases): void;
export function describeSamplerConformance<O>(target: string | SamplerDescriptor<O>, second: ((seed: number) => Sampler) | SamplerDescriptorCases, options: SamplerConformanceOptions = {}): void {
  if (typeof target === 'string') {
    const make = second as (seed: number) => Sampler;
    describe(`sampler conformance: ${target}`, () => {
      for (const check of samplerConformanceChecks) it(check.title, () => check.run(make, options));
    });
    return;
  }
  const descriptor = target;
  const cases = second as SamplerDescriptorCases;
  const context = (seed: number): SamplerContext => ({ path: 'sampler', build: noNestedSpecs('sampler'), space: cases.space ?? SAMPLER_CONFORMANCE_SPACE, seed });
  const make = (options: unknown) => (seed: number) => descriptor.create(parseOptions(descriptor, withSeed(options, seed)), context(seed));
  describe(`sampler conformance: ${descriptor.id}`, () => {
    const contract = descriptorContractChecks<Sampler>(descriptor, {
      kind: 'sampler',
      valid: cases.valid,
      invalid: cases.invalid,
      create: (options) => descriptor.create(withSeed(options, 3) as O, context(3)),
      independence: {
        use: (sampler) => new SamplerLoop(sampler).run(objective, 8),
        observe: (sampler) => {
          const loop = new SamplerLoop(sampler);
          loop.run(objective, 3);
          return paramsOf(loop);
        },
      },
    });
    for (const check of contract) it(check.title, () => check.run());
    cases.valid.forEach((options, k) => {
      for (const check of samplerConformanceChecks) it(`${optionLabel(options, k)}: ${check.title}`, () => check.run(make(options), cases));
    });
  });
}
