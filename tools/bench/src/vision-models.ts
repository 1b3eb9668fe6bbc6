import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { torchUnavailable } from './torch-side.js';

const here = dirname(fileURLToPath(import.meta.url));
const exporter = join(here, '..', 'python', 'export_vision.py');

/**
 * Where the exported vision models live: `ANNEAL_BENCH_CACHE`, else node_modules/.cache/anneal-bench
 * at the repository root (never committed: the exports are 6-45 MB each).
 */
export function visionCacheDir(): string {
  return process.env.ANNEAL_BENCH_CACHE ?? join(here, '..', '..', '..', 'node_modules', '.cache', 'anneal-bench');
}

/**
 * Path of `<name>.onnx` in the cache, exporting it first with tools/bench/python/export_vision.py
 * (torchvision, random init, fixed seeds; also writes the `.pt` state_dict the PyTorch side loads)
 * when it is missing.
 */
export function ensureVisionModel(name: string): string {
  const dir = visionCacheDir();
  const file = join(dir, `${name}.onnx`);
  if (existsSync(file) && existsSync(join(dir, `${name}.pt`))) return file;
  const why = torchUnavailable();
  if (why) throw new Error(`the vision bench model ${file} is missing and cannot be exported: ${why}`);
  mkdirSync(dir, { recursive: true });
  console.log(`exporting ${name} to ${dir} (tools/bench/python/export_vision.py) ...`);
  const r = spawnSync('/usr/bin/python3', [exporter, dir, name], { encoding: 'utf8', cwd: dirname(exporter) });
  if (r.status !== 0) throw new Error(`export_vision.py ${name} failed (exit ${r.status}):\n${r.stderr}`);
  return file;
}
