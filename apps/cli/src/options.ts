import { InvalidArgumentError } from 'commander';
import type { Device } from '@anneal/runtime';

/** A finite number option. */
export const number = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, got '${v}'`);
  return n;
};

/** A positive integer option. */
export const integer = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got '${v}'`);
  return n;
};

/** `cpu`, `cuda` or `cuda:<id>` (also `wasm`; `webgpu` is for pages). */
export function parseDevice(value: string): { device: Exclude<Device, 'webgpu'>; deviceId: number } {
  const m = /^(cpu|cuda|wasm)(?::(\d+))?$/.exec(value);
  if (!m || (m[2] !== undefined && m[1] !== 'cuda')) throw new InvalidArgumentError(`--device must be cpu, cuda, cuda:<id> or wasm, got '${value}'`);
  return { device: m[1] as Exclude<Device, 'webgpu'>, deviceId: Number(m[2] ?? 0) };
}

/** `48x192` -> [48, 192]. */
export function parseSize(value: string): [number, number] {
  const m = /^(\d+)x(\d+)$/.exec(value);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new InvalidArgumentError(`--size must be <height>x<width>, e.g. 48x192, got '${value}'`);
  return [Number(m[1]), Number(m[2])];
}

/** `0.5` or `0.485,0.456,0.406` -> numbers. */
export function parseNumbers(name: string) {
  return (value: string): number[] => {
    const xs = value.split(',').map(Number);
    if (!xs.length || xs.some((x) => !Number.isFinite(x))) throw new InvalidArgumentError(`${name} must be numbers separated by commas, got '${value}'`);
    return xs;
  };
}

/**
 * Parses `--input-shape`: positive integers joined by `x` (or commas), batch first.
 *
 * @example parseInputShape('1x3x48x192') // [1, 3, 48, 192]
 */
export function parseInputShape(value: string): number[] {
  const parts = value.trim().split(/[x,×]/i);
  const dims = parts.map((p) => Number(p.trim()));
  if (value.trim() === '' || parts.some((p) => p.trim() === '') || !dims.every((d) => Number.isInteger(d) && d > 0)) {
    throw new InvalidArgumentError(`--input-shape must be positive integers joined by 'x', batch first (e.g. 1x3x224x224), got '${value}'`);
  }
  return dims;
}
