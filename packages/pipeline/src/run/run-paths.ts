import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';

/** The files of a run folder. */
export function runPaths(dir: string) {
  return {
    dir,
    config: join(dir, 'config.json'),
    runtime: join(dir, 'runtime.json'),
    metrics: join(dir, 'metrics.jsonl'),
    checkpoints: join(dir, 'checkpoints'),
    last: join(dir, 'checkpoints', 'last.safetensors'),
    model: join(dir, 'model.onnx'),
    charts: join(dir, 'charts'),
    summary: join(dir, 'summary.json'),
  };
}

/** The files of a run folder. */
export type RunPaths = ReturnType<typeof runPaths>;

/**
 * Creates a fresh run folder: `base`, or `base-1`, `base-2`... when taken. The folder is created
 * exclusively (mkdir fails when it exists), so two runs started at once never share one and an
 * existing run is never overwritten.
 */
export function freshRunDir(base: string): string {
  mkdirSync(join(base, '..'), { recursive: true });
  for (let i = 0; ; i++) {
    const dir = i === 0 ? base : `${base}-${i}`;
    try {
      mkdirSync(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new ConfigError(`cannot create the run folder ${dir}: ${(e as Error).message}`);
    }
  }
}

/** Whether `dir` exists and holds a run (a config.json). */
export function isRunDir(dir: string): boolean {
  return existsSync(runPaths(dir).config);
}
