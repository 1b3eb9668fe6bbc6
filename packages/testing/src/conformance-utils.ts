import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TensorValue } from '@anneal/onnx';
import { expect } from 'vitest';

/** Runs `fn` with fresh temporary folders (`make()` gives one more), removed afterwards whatever happens. */
export async function withTempDirs<T>(prefix: string, fn: (make: () => string) => Promise<T>): Promise<T> {
  const dirs: string[] = [];
  try {
    return await fn(() => {
      const dir = mkdtempSync(join(tmpdir(), `anneal-${prefix}-`));
      dirs.push(dir);
      return dir;
    });
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A copy of `value` for comparisons: every occurrence of a folder in `dirs` in a string becomes
 * `<dir>` (two runs in two folders then compare equal) and `durationMs` keys are dropped (timing).
 */
export function comparable(value: unknown, dirs: readonly string[]): unknown {
  if (typeof value === 'string') return dirs.reduce((s, d) => s.split(d).join('<dir>'), value);
  if (Array.isArray(value)) return value.map((v) => comparable(v, dirs));
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number | bigint>);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'durationMs').map(([k, v]) => [k, comparable(v, dirs)]));
  }
  return value;
}

/** Asserts that `value` survives JSON unchanged: plain objects, arrays, finite numbers, strings, booleans and null only. */
export function expectPlainJson(value: unknown, what: string): void {
  const trip = value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  expect(trip, `${what} is not plain JSON (NaN, Infinity, undefined, class instances or Maps do not survive a checkpoint)`).toStrictEqual(value);
}

/** Asserts that every entry is a dense tensor whose data length matches its dims. */
export function expectTensors(tensors: Readonly<Record<string, TensorValue>>, what: string): void {
  for (const [name, t] of Object.entries(tensors)) {
    expect(Array.isArray(t.dims) && t.dims.every((d) => Number.isInteger(d) && d >= 0), `${what} '${name}': dims ${JSON.stringify(t.dims)}`).toBe(true);
    expect(ArrayBuffer.isView(t.data), `${what} '${name}': data is not a typed array`).toBe(true);
    expect(t.data.length, `${what} '${name}': ${t.data.length} values for dims [${t.dims.join(', ')}]`).toBe(t.dims.reduce((a, b) => a * b, 1));
  }
}

/** A deeply frozen structured clone (what a Trainer's event payloads are). */
export function deepFrozen<T>(value: T): T {
  const copy = structuredClone(value);
  const freeze = (v: unknown): void => {
    if (v && typeof v === 'object' && !Object.isFrozen(v) && !ArrayBuffer.isView(v)) {
      Object.freeze(v);
      for (const k of Object.keys(v)) freeze((v as Record<string, unknown>)[k]);
    }
  };
  freeze(copy);
  return copy;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes `files` (relative path -> content) under `dir`, creating their folders. */
export function writeFiles(dir: string, files: Readonly<Record<string, string | Uint8Array>>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}
