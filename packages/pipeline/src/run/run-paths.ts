import { existsSync, linkSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir } from '@anneal/onnx';
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
  ensureDir(join(base, '..'));
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

/**
 * Claims a folder for one run by creating its marker file (`config.json`, `ensemble.json`...)
 * exclusively: the content goes to a temporary sibling that is hard-linked to the marker, which
 * fails when the marker exists. So the marker appears whole (never half-written) and, of two
 * processes given the same folder at once, exactly one wins; the other gets `taken()` as a
 * ConfigError. The folder and its parents are created first. File systems without hard links
 * fall back to an exclusive create (`wx`).
 */
export function claimRunDir(dir: string, marker: string, content: string, taken: () => string): void {
  ensureDir(dir);
  const path = join(dir, marker);
  const tmp = join(dir, `.${marker}.${process.pid}.${Date.now().toString(16)}.claim`);
  try {
    writeFileSync(tmp, content, { flag: 'wx' });
    try {
      linkSync(tmp, path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new ConfigError(taken());
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw new ConfigError(`cannot claim the run folder ${dir}: ${(e as Error).message}`);
      try {
        writeFileSync(path, content, { flag: 'wx' });
      } catch (e2) {
        if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') throw new ConfigError(taken());
        throw e2;
      }
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Whether `dir` exists and holds a run (a config.json). */
export function isRunDir(dir: string): boolean {
  return existsSync(runPaths(dir).config);
}
