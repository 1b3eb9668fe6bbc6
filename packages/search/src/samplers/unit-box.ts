/**
 * Numeric parameters as coordinates in [0, 1] for samplers that model a box (CMA-ES, Gaussian
 * process): linear for plain floats, logarithmic for log distributions, and for ints and steps
 * the range widened by half a step on both sides so that every grid value owns an equal cell
 * (values are snapped back to the grid on the way out).
 */
import { contains, isSingle } from '../distributions.js';
import type { Distribution, FrozenTrial, ParamValue } from '../types.js';
import { fromKernel, kernelSpace, toKernel, type KernelSpace } from './parzen-estimator.js';

/** One numeric parameter of a box. */
export interface UnitAxis {
  readonly name: string;
  readonly distribution: Exclude<Distribution, { kind: 'categorical' }>;
  readonly space: Extract<KernelSpace, { kind: 'numeric' }>;
  /** Width of one grid cell in box coordinates (0 for continuous axes, log ints included). */
  readonly cell: number;
}

/** The numeric, non-single parameters of `space` as axes, in name order. */
export function unitAxes(space: Readonly<Record<string, Distribution>>): UnitAxis[] {
  const axes: UnitAxis[] = [];
  for (const name of Object.keys(space).sort()) {
    const d = space[name]!;
    if (d.kind === 'categorical' || isSingle(d)) continue;
    const s = kernelSpace(d) as Extract<KernelSpace, { kind: 'numeric' }>;
    const step = d.log ? 0 : d.kind === 'int' ? (d.step ?? 1) : (d.step ?? 0);
    axes.push({ name, distribution: d, space: s, cell: step / (s.high - s.low) });
  }
  return axes;
}

/** Box coordinate of a value. */
export function toUnit(axis: UnitAxis, value: number): number {
  return (toKernel(axis.space, value) - axis.space.low) / (axis.space.high - axis.space.low);
}

/** The parameter value (snapped to its grid) of a box coordinate. */
export function fromUnit(axis: UnitAxis, u: number): ParamValue {
  const x = axis.space.low + Math.min(1, Math.max(0, u)) * (axis.space.high - axis.space.low);
  return fromKernel(axis.space, x);
}

/** A trial's point in the box, or undefined when it lacks one of the axes (or has a value outside it). */
export function trialPoint(trial: FrozenTrial, axes: readonly UnitAxis[]): Float64Array | undefined {
  const x = new Float64Array(axes.length);
  for (let i = 0; i < axes.length; i++) {
    const v = trial.params[axes[i]!.name];
    if (typeof v !== 'number' || !contains(axes[i]!.distribution, v)) return undefined;
    x[i] = toUnit(axes[i]!, v);
  }
  return x;
}
