import { mix32 } from '@anneal/data';
import { adjustedHigh, contains, defineSampler, fromInternal, RandomSampler, sameDistribution, type Distribution, type FrozenTrial, type ParamValue, type Sampler, type StudyView } from '@anneal/search';
import { z } from 'zod';

/** Options of {@link HillClimbSampler}. */
export interface HillClimbOptions {
  seed?: number;
  /** Random trials before the search starts climbing (default 5). */
  startupTrials?: number;
  /** Initial step, as a fraction of each range (default 0.2). */
  sigma?: number;
  /** Chance a categorical parameter leaves the incumbent's choice (default 0.2). */
  switchProbability?: number;
}

/** Zod schema of {@link HillClimbOptions}. */
export const hillClimbOptions = z.strictObject({
  seed: z.number().int().optional(),
  startupTrials: z.number().int().nonnegative().default(5),
  sigma: z.number().gt(0).max(1).default(0.2),
  switchProbability: z.number().min(0).max(1).default(0.2),
});

/** A uniform number in [0, 1) from a seed and a list of integers (a counter-based generator: no state). */
function uniform(seed: number, ...keys: number[]): number {
  let h = mix32(seed >>> 0);
  for (const k of keys) h = mix32((h ^ (k >>> 0)) + 0x9e3779b9);
  return (h >>> 0) / 2 ** 32;
}

/** A standard normal number (Box-Muller) from the same counter-based generator. */
function normal(seed: number, ...keys: number[]): number {
  const u = Math.max(uniform(seed, ...keys, 1), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform(seed, ...keys, 2));
}

const nameKey = (name: string) => [...name].reduce((h, c) => mix32(h ^ c.charCodeAt(0)), 17);

/** A float/int value <-> its position in [0, 1] of the range (log ranges in log space). */
function toUnit(d: Exclude<Distribution, { kind: 'categorical' }>, v: number): number {
  const hi = adjustedHigh(d);
  if (hi === d.low) return 0;
  return d.log ? (Math.log(v) - Math.log(d.low)) / (Math.log(hi) - Math.log(d.low)) : (v - d.low) / (hi - d.low);
}
function fromUnit(d: Exclude<Distribution, { kind: 'categorical' }>, t: number): ParamValue {
  const hi = adjustedHigh(d);
  const u = Math.min(1, Math.max(0, t));
  return fromInternal(d, d.log ? Math.exp(Math.log(d.low) + u * (Math.log(hi) - Math.log(d.low))) : d.low + u * (hi - d.low));
}

/**
 * A (1+1) evolution strategy: after `startupTrials` random trials, each trial takes the best
 * trial so far and moves every numeric parameter by a normal step (in units of its range, log
 * ranges in log space), keeping categorical choices with probability 1 - `switchProbability`.
 * The step follows Rechenberg's 1/5th success rule: it grows by 1.5x after a period where more
 * than a fifth of the trials improved on the incumbent, and shrinks otherwise. Everything is a
 * function of the study's trials and the seed, so workers in any number of processes agree.
 *
 * @example
 * const study = await createStudy('s', { sampler: new HillClimbSampler({ seed: 1 }) });
 */
export class HillClimbSampler implements Sampler {
  readonly name = 'hill-climb';
  private readonly o: z.infer<typeof hillClimbOptions> & { seed: number };
  private readonly random: RandomSampler;

  constructor(options: HillClimbOptions = {}) {
    const parsed = hillClimbOptions.parse(options);
    this.o = { ...parsed, seed: parsed.seed ?? 0 };
    this.random = new RandomSampler({ seed: this.o.seed });
  }

  /** The incumbent (best complete trial) and the current step size, from the complete trials in order. */
  private incumbent(study: StudyView): { best: FrozenTrial; sigma: number } | undefined {
    const complete = study.trials.filter((t) => t.state === 'complete' && Number.isFinite(t.value)).sort((a, b) => a.number - b.number);
    if (complete.length < Math.max(1, this.o.startupTrials)) return undefined;
    const better = (a: number, b: number) => (study.direction === 'minimize' ? a < b : a > b);
    let best = complete[0]!;
    let sigma = this.o.sigma;
    let successes = 0;
    let period = 0;
    for (const t of complete.slice(1)) {
      const improved = better(t.value!, best.value!);
      if (improved) best = t;
      if (t.number < this.o.startupTrials) continue; // random startup trials do not steer the step size
      period++;
      if (improved) successes++;
      if (period === 5) {
        sigma = Math.min(1, Math.max(1e-4, successes / period > 0.2 ? sigma * 1.5 : sigma / 1.5));
        successes = period = 0;
      }
    }
    return { best, sigma };
  }

  sampleIndependent(study: StudyView, trial: FrozenTrial, name: string, distribution: Distribution): ParamValue {
    const state = this.incumbent(study);
    const from = state?.best.params[name];
    const known = state?.best.distributions[name];
    if (!state || from === undefined || !known || !sameDistribution(known, distribution) || !contains(distribution, from)) return this.random.sampleIndependent(study, trial, name, distribution);
    const key = nameKey(name);
    if (distribution.kind === 'categorical') {
      if (distribution.choices.length === 1 || uniform(this.o.seed, trial.number, key, 3) >= this.o.switchProbability) return from;
      const others = distribution.choices.filter((c) => c !== from);
      return others[Math.floor(uniform(this.o.seed, trial.number, key, 4) * others.length)]!;
    }
    return fromUnit(distribution, toUnit(distribution, from as number) + state.sigma * normal(this.o.seed, trial.number, key));
  }
}

/** The descriptor a tune config names as `sampler: { type: hill-climb, package: '@anneal/sampler-plugin-example' }`. */
export const hillClimbDescriptor = defineSampler({
  id: 'hill-climb',
  description: '(1+1) evolution strategy around the best trial, step size by the 1/5th success rule',
  options: hillClimbOptions,
  create: (o, ctx) => new HillClimbSampler({ ...o, seed: o.seed ?? ctx.seed }),
});
