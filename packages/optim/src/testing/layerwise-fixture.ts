/**
 * Test support (not exported from the package) for the layer-wise optimizers (LARS, LAMB): a
 * parameter set with a matrix, a rank-3 tensor and a bias vector, deterministic float32-exact
 * values, and float64 helpers the references share.
 */
import type { StepParam } from '../optimizer-step.js';
import { worstRelativeError } from './ort-step-runner.js';

export const LAYERWISE_PARAMS: readonly StepParam[] = [
  { name: 'fc.weight', dims: [3, 4] },
  { name: 'conv.weight', dims: [2, 2, 3] },
  { name: 'fc.bias', dims: [4] },
];

const size = (dims: readonly number[]): number => dims.reduce((a, c) => a * c, 1);

/** Deterministic values in (-scale, scale), rounded to float32 so graph and reference start equal. */
export function fixtureValues(n: number, seed: number, scale = 1): number[] {
  return Array.from({ length: n }, (_, i) => Math.fround(scale * Math.sin(12.9898 * (i + 1) + 78.233 * seed)));
}

/** Initial values of {@link LAYERWISE_PARAMS}. */
export const layerwiseInit: Record<string, number[]> = Object.fromEntries(LAYERWISE_PARAMS.map((p, k) => [p.name, fixtureValues(size(p.dims), k + 1, 1.5)]));

/** Five steps of gradients of {@link LAYERWISE_PARAMS}, of different magnitudes per tensor. */
export const layerwiseGrads: Record<string, number[]>[] = Array.from({ length: 5 }, (_, step) =>
  Object.fromEntries(LAYERWISE_PARAMS.map((p, k) => [p.name, fixtureValues(size(p.dims), 10 * (step + 1) + k, 0.2 * (k + 1))])),
);

/** float64 L2 norm. */
export function norm(x: readonly number[]): number {
  return Math.sqrt(x.reduce((a, v) => a + v * v, 0));
}

/** The clip coefficient of `clip_grad_norm_` over all of a step's gradients (1 when `maxNorm` is undefined). */
export function clipCoefficient(grads: Readonly<Record<string, readonly number[]>>, maxNorm: number | undefined): number {
  if (maxNorm === undefined) return 1;
  const total = Math.sqrt(Object.values(grads).reduce((a, g) => a + g.reduce((s, v) => s + v * v, 0), 0));
  return Math.min(maxNorm / (total + 1e-6), 1);
}

/** The rank <= 1 rule of `exclude: 'vectors'`. */
export function excludedParam(dims: readonly number[], exclude: 'none' | 'vectors'): boolean {
  return exclude === 'vectors' && dims.length <= 1;
}

/**
 * Worst elementwise relative error, with the floor at 1% of the tensor's largest magnitude:
 * an element that passes near 0 by cancelling O(1) terms carries float32 rounding of O(1)
 * (~1e-7 absolute), which a floor at the element's own size would blow up.
 */
export function tensorRelativeError(actual: ArrayLike<number>, expected: readonly number[]): number {
  const scale = Math.max(...expected.map(Math.abs));
  return worstRelativeError(actual, expected, Math.max(0.01 * scale, 1e-12));
}
