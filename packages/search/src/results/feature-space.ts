import type { Distribution, FrozenTrial, ParamValue } from '../types.js';
import { StudyResultsError } from './results-error.js';

/**
 * A numeric parameter as a regression feature: its value (its logarithm for log distributions)
 * on the interval [low, high]. A conditional parameter missing from some trials gets a sentinel
 * `missing` below the range and an extra segment [low - width, presentLow) of the same width as
 * the range, so "absent" is a region of the space like any other.
 */
export interface ContinuousFeature {
  readonly kind: 'continuous';
  readonly param: string;
  /** Domain of the feature (the measure fANOVA integrates over), sentinel segment included. */
  readonly low: number;
  readonly high: number;
  /** Lower end of the values a trial can actually have. */
  readonly presentLow: number;
  /** Encoded value of a trial without this parameter (NaN when every trial has it). */
  readonly missing: number;
}

/**
 * A categorical parameter as a feature: the choice index, with one extra index
 * (`choices.length`) for trials without the parameter. Every index has the same measure.
 */
export interface CategoricalFeature {
  readonly kind: 'categorical';
  readonly param: string;
  readonly choices: readonly ParamValue[];
  /** Number of indices: the choices, plus one when some trial lacks the parameter. */
  readonly size: number;
}

export type Feature = ContinuousFeature | CategoricalFeature;

/** Trials encoded for the forest: one column per feature, one row per trial. */
export interface EncodedTrials {
  readonly features: readonly Feature[];
  readonly columns: readonly Float64Array[];
  readonly values: Float64Array;
}

type Numeric = Exclude<Distribution, { kind: 'categorical' }>;

/**
 * Encodes trials (all with a value) as features, in the order the parameters first appear.
 * A parameter asked as categorical in one trial and numeric in another is an error; numeric
 * ranges and categorical choices are merged over the trials.
 */
export function encodeTrials(trials: readonly FrozenTrial[]): EncodedTrials {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const t of trials) for (const name of Object.keys(t.distributions)) if (!seen.has(name)) (seen.add(name), names.push(name));
  const features: Feature[] = [];
  const columns: Float64Array[] = [];
  for (const name of names) {
    const present = trials.filter((t) => name in t.params && name in t.distributions);
    const dists = present.map((t) => t.distributions[name]!);
    const categorical = dists.filter((d) => d.kind === 'categorical');
    if (categorical.length && categorical.length < dists.length) {
      const a = present[dists.findIndex((d) => d.kind === 'categorical')]!;
      const b = present[dists.findIndex((d) => d.kind !== 'categorical')]!;
      throw new StudyResultsError('parameter importance', `parameter '${name}' is categorical in trial ${a.number} but numeric in trial ${b.number}; use one distribution per parameter name`);
    }
    const missing = present.length < trials.length;
    const column = new Float64Array(trials.length);
    if (categorical.length) {
      const choices: ParamValue[] = [];
      for (const d of categorical) if (d.kind === 'categorical') for (const c of d.choices) if (!choices.includes(c)) choices.push(c);
      const feature: CategoricalFeature = { kind: 'categorical', param: name, choices, size: choices.length + (missing ? 1 : 0) };
      trials.forEach((t, i) => {
        column[i] = name in t.params ? choices.indexOf(t.params[name]!) : choices.length;
      });
      if (column.some((x) => x < 0)) throw new StudyResultsError('parameter importance', `parameter '${name}' has a value that is none of its choices`);
      features.push(feature);
    } else {
      const numeric = dists as Numeric[];
      const log = numeric.every((d) => d.log === true);
      const encode = (v: ParamValue, t: FrozenTrial): number => {
        if (typeof v !== 'number' || !Number.isFinite(v) || (log && v <= 0)) {
          throw new StudyResultsError('parameter importance', `parameter '${name}' of trial ${t.number} is ${JSON.stringify(v)}, not a ${log ? 'positive ' : ''}finite number`);
        }
        return log ? Math.log(v) : v;
      };
      let low = Infinity;
      let high = -Infinity;
      for (const d of numeric) {
        // Linear ints: each integer owns the unit cell around it, so the end values are not half-weighted.
        const pad = d.kind === 'int' && !log ? (d.step ?? 1) / 2 : 0;
        low = Math.min(low, log ? Math.log(d.low) : d.low - pad);
        high = Math.max(high, log ? Math.log(d.high) : d.high + pad);
      }
      trials.forEach((t, i) => {
        if (!(name in t.params)) return;
        const x = encode(t.params[name]!, t);
        column[i] = x;
        low = Math.min(low, x);
        high = Math.max(high, x);
      });
      const width = high > low ? high - low : 1;
      if (high <= low) high = low + (missing ? width : 0);
      const sentinel = missing ? low - width / 2 : NaN;
      if (missing) trials.forEach((t, i) => { if (!(name in t.params)) column[i] = sentinel; });
      features.push({ kind: 'continuous', param: name, low: missing ? low - width : low, high, presentLow: low, missing: sentinel });
    }
    columns.push(column);
  }
  return { features, columns, values: Float64Array.from(trials, (t) => t.value!) };
}

/** The threshold between two adjacent distinct encoded values a < b of a continuous feature. */
export function splitThreshold(f: ContinuousFeature, a: number, b: number): number {
  return a < f.presentLow ? f.presentLow : (a + b) / 2;
}
