import { adjustedHigh, fromInternal } from '../distributions.js';
import type { Distribution, ParamValue } from '../types.js';

/**
 * Maps u in [0, 1) to a value of `d` so that a uniform u gives a uniform value: floats linearly
 * (log floats in log space), stepped floats and ints uniformly over their grid points, log ints
 * in log space over [low - 0.5, high + 0.5] then rounded, categoricals by choice index.
 */
export function fromUnit(d: Distribution, u: number): ParamValue {
  const w = Math.min(Math.max(u, 0), 1);
  if (d.kind === 'categorical') return d.choices[Math.min(d.choices.length - 1, Math.floor(w * d.choices.length))]!;
  if (d.log) {
    const lo = d.kind === 'int' ? d.low - 0.5 : d.low;
    const hi = d.kind === 'int' ? d.high + 0.5 : d.high;
    const v = Math.exp(Math.log(lo) + w * (Math.log(hi) - Math.log(lo)));
    return fromInternal(d, v);
  }
  if (d.kind === 'int' || d.step !== undefined) {
    const step = d.step ?? 1;
    const count = Math.round((adjustedHigh(d) - d.low) / step) + 1;
    const index = Math.min(count - 1, Math.floor(w * count));
    return fromInternal(d, d.low + index * step);
  }
  return fromInternal(d, d.low + w * (d.high - d.low));
}

/** A uniformly random value of `d` (see {@link fromUnit}). */
export function sampleUniform(d: Distribution, rand: () => number): ParamValue {
  return fromUnit(d, rand());
}
