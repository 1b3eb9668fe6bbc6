// Throughput: variant (c) in three layouts (one session with 1 or 2 ORT threads, 2 workers), and
// the repository's data-parallel benchmark (tools/bench parallel) run as a child process.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { type FitConfig, type Pipeline, type RunParts, validateFitConfig } from '@anneal/pipeline';
import { runVariant } from './run-variant.js';
import { median, type LayoutResult } from './summary.js';

/** The layouts compared; every one computes the same updates (to float rounding). */
const LAYOUTS = [
  { label: 'one session, 1 thread', threads: 1, workers: 1 },
  { label: 'one session, 2 threads', threads: 2, workers: 1 },
  { label: 'train.parallel: 2 workers x 1 thread', threads: 1, workers: 2 },
] as const;

/**
 * Runs `config` for `epochs` epochs in each layout, `rounds` times (layouts alternated so machine
 * noise spreads over all of them), and reports the median examples/s of each.
 */
export async function measureLayouts(pipeline: Pipeline, config: FitConfig, options: { epochs: number; rounds: number; out: string; shared: RunParts; log: (s: string) => void }): Promise<LayoutResult[]> {
  const results: LayoutResult[] = LAYOUTS.map((l) => ({ label: l.label, workers: l.workers, threads: l.threads, rounds: [], examplesPerSecond: NaN, accuracies: [] }));
  const epochs = options.epochs;
  const shortened = {
    ...config,
    train: { ...config.train, epochs },
    schedules: config.schedules.map((s) => ((s.schedule as { tMax?: unknown }).tMax !== undefined ? { ...s, schedule: { ...s.schedule, tMax: epochs } } : s)),
  };
  for (let round = 0; round < options.rounds; round++) {
    for (const [i, l] of LAYOUTS.entries()) {
      const parallel = l.workers > 1 ? { workers: l.workers, accumulate: 1 } : undefined;
      const c = validateFitConfig({ ...shortened, name: `${config.name}-layout${i}`, train: { ...shortened.train, threads: l.threads, parallel } }, `${config.name} layout '${l.label}'`);
      const r = await runVariant(pipeline, `layout${i}`, c, join(options.out, `layout${i}`), options.shared);
      results[i]!.rounds.push(r.examplesPerSecond);
      results[i]!.accuracies.push(r.accuracy);
      options.log(`  round ${round + 1}, ${l.label}: ${Math.round(r.examplesPerSecond)} examples/s, test accuracy ${(r.accuracy * 100).toFixed(2)}%`);
    }
  }
  for (const r of results) r.examplesPerSecond = median(r.rounds);
  return results;
}

/** Output of `PAR_ROUNDS=<rounds> npx tsx tools/bench/src/main.ts parallel` from the repository root (npm's own warnings dropped). */
export function runParallelBench(root: string, rounds: number): { command: string; output: string; seconds: number; ok: boolean } {
  const command = `PAR_ROUNDS=${rounds} npx tsx tools/bench/src/main.ts parallel`;
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--import', './tools/setup/source-mode.mjs', 'tools/bench/src/main.ts', 'parallel'], { cwd: root, encoding: 'utf8', env: { ...process.env, PAR_ROUNDS: String(rounds) }, maxBuffer: 16 << 20 });
  const lines = `${r.stdout ?? ''}${r.status === 0 ? '' : `\n${r.stderr ?? ''}`}`.split('\n').filter((l) => !/^npm warn/i.test(l));
  return { command, output: lines.join('\n').trim(), seconds: (performance.now() - started) / 1000, ok: r.status === 0 };
}
