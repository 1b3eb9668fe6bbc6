import { DistributionError } from './errors.js';
import type { Distribution, ParamValue } from './types.js';

/**
 * Throws DistributionError unless `d` is well formed: finite bounds with low <= high, log needs
 * low > 0 (and step 1 for ints), steps positive, ints on integer bounds, categorical choices
 * non-empty and distinct.
 */
export function checkDistribution(name: string, d: Distribution): void {
  if (d.kind === 'categorical') {
    if (!d.choices.length) throw new DistributionError(name, 'categorical needs at least one choice');
    if (new Set(d.choices).size !== d.choices.length) throw new DistributionError(name, `categorical choices must be distinct, got [${d.choices.join(', ')}]`);
    return;
  }
  if (!Number.isFinite(d.low) || !Number.isFinite(d.high) || d.low > d.high) throw new DistributionError(name, `needs finite low <= high, got [${d.low}, ${d.high}]`);
  if (d.step !== undefined && !(d.step > 0)) throw new DistributionError(name, `step must be positive, got ${d.step}`);
  if (d.log && d.low <= 0) throw new DistributionError(name, `a log distribution needs low > 0, got ${d.low}`);
  if (d.log && d.step !== undefined && (d.kind === 'float' || d.step !== 1)) throw new DistributionError(name, 'log and step cannot be combined (except int step 1)');
  if (d.kind === 'int') {
    if (!Number.isInteger(d.low) || !Number.isInteger(d.high)) throw new DistributionError(name, `int bounds must be integers, got [${d.low}, ${d.high}]`);
    if (d.step !== undefined && !Number.isInteger(d.step)) throw new DistributionError(name, `int step must be an integer, got ${d.step}`);
  }
}

/** Whether two distributions are the same (a trial may not ask for one parameter with two). */
export function sameDistribution(a: Distribution, b: Distribution): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'categorical' && b.kind === 'categorical') return a.choices.length === b.choices.length && a.choices.every((c, i) => c === b.choices[i]);
  const x = a as Exclude<Distribution, { kind: 'categorical' }>;
  const y = b as Exclude<Distribution, { kind: 'categorical' }>;
  return x.low === y.low && x.high === y.high && !!x.log === !!y.log && (x.step ?? undefined) === (y.step ?? undefined);
}

/** A distribution with one possible value (samplers skip it). */
export function isSingle(d: Distribution): boolean {
  if (d.kind === 'categorical') return d.choices.length === 1;
  if (d.low === d.high) return true;
  return d.step !== undefined && d.low + d.step > d.high;
}

/** The upper bound actually reachable on the step grid. */
export function adjustedHigh(d: Exclude<Distribution, { kind: 'categorical' }>): number {
  if (d.step === undefined) return d.high;
  const k = Math.floor((d.high - d.low) / d.step + 1e-9);
  return d.low + k * d.step;
}

/**
 * The numeric form samplers work with: the value itself for float/int, the choice index for
 * categorical. Throws when the value is not in the distribution.
 */
export function toInternal(name: string, d: Distribution, value: ParamValue): number {
  if (d.kind === 'categorical') {
    const i = d.choices.indexOf(value);
    if (i < 0) throw new DistributionError(name, `${JSON.stringify(value)} is not one of [${d.choices.map((c) => JSON.stringify(c)).join(', ')}]`);
    return i;
  }
  if (typeof value !== 'number' || !contains(d, value)) throw new DistributionError(name, `${JSON.stringify(value)} is outside ${describeDistribution(d)}`);
  return value;
}

/** The value of an internal number: snapped to the step grid / integers and clamped for float/int, the choice for categorical. */
export function fromInternal(d: Distribution, x: number): ParamValue {
  if (d.kind === 'categorical') return d.choices[Math.min(d.choices.length - 1, Math.max(0, Math.round(x)))]!;
  const high = adjustedHigh(d);
  let v = x;
  if (d.step !== undefined) v = d.low + Math.round((v - d.low) / d.step) * d.step;
  else if (d.kind === 'int') v = Math.round(v);
  v = Math.min(high, Math.max(d.low, v));
  // remove float noise of the step grid (0.1 + 2*0.1 -> 0.30000000000000004)
  if (d.kind === 'float' && d.step !== undefined) v = Number(v.toPrecision(12));
  return v;
}

/** Whether `value` can be drawn from `d`. */
export function contains(d: Distribution, value: ParamValue): boolean {
  if (d.kind === 'categorical') return d.choices.includes(value);
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (value < d.low || value > d.high) return false;
  if (d.kind === 'int' && !Number.isInteger(value)) return false;
  if (d.step !== undefined) {
    const k = (value - d.low) / d.step;
    return Math.abs(k - Math.round(k)) < 1e-8;
  }
  return true;
}

/** `float [1e-05, 0.1] log`, `int [1, 9] step 2`, `categorical [adam, sgd]`. */
export function describeDistribution(d: Distribution): string {
  if (d.kind === 'categorical') return `categorical [${d.choices.map((c) => String(c)).join(', ')}]`;
  return `${d.kind} [${d.low}, ${d.high}]${d.log ? ' log' : ''}${d.step !== undefined ? ` step ${d.step}` : ''}`;
}
