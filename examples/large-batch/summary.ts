// Runs grouped by variant: test accuracy over seeds, the gap to the study's baseline, throughput.
import type { FitConfig } from '@anneal/pipeline';
import type { RunResult } from './run-variant.js';
import type { Study, Variant } from './variants.js';

/** Mean and sample standard deviation (n - 1; 0 for one value). */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, std };
}

/** One row of the results table: a variant over its seeds. */
export interface VariantSummary {
  id: string;
  label: string;
  study: Study;
  file: string;
  baseline: boolean;
  optimizer: string;
  /** The optimizer and largeBatch settings as configured, e.g. `lars, momentum 0.9, trustCoefficient 0.05, largeBatch linear from 16, warmup 3 epochs`. */
  settings: string;
  /** The lr schedule's base (what was tuned at batch 16) and the largeBatch factor batch/baseBatch (or its sqrt). */
  baseLr: number;
  batch: number;
  /** Present when the variant could not run in this checkout (its optimizer is missing). */
  skipped?: string;
  seeds: number[];
  /** Runs whose loss became non-finite (excluded from the accuracy statistics). */
  diverged: number;
  steps: number;
  lrFirst: number;
  lrMax: number;
  warmupEpochs: number;
  warmupSteps: number;
  /** Test accuracy over the seeds (fractions). */
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Mean accuracy minus the study baseline's mean, in percentage points. */
  gap: number;
  /** Mean training throughput over the seeds and its layout. */
  examplesPerSecond: number;
  workers: number;
  /** Mean ± std test accuracy after each epoch. */
  perEpoch: { mean: number; std: number }[];
  /** The lr per update of the first seed's run. */
  lrTrace: [number, number][];
}

function describe(config: FitConfig): string {
  const o = config.optimizer;
  const parts = [o.type, ...(['momentum', 'beta1', 'beta2', 'eps', 'trustCoefficient', 'weightDecay'] as const).flatMap((k) => (o[k] !== undefined ? [`${k} ${o[k]}`] : []))];
  if (o.largeBatch) parts.push(`largeBatch ${o.largeBatch.rule} from batch ${o.largeBatch.baseBatch}, warmup ${o.largeBatch.warmupEpochs} epochs`);
  if (config.train.parallel) parts.push(`${config.train.parallel.workers} workers x ${config.train.parallel.accumulate} micro-batches`);
  return parts.join(', ');
}

function schedulesBase(config: FitConfig): number {
  const bases = config.schedules.filter((s) => s.target === 'lr' && !s.group).map((s) => Number((s.schedule as { base?: unknown }).base));
  return bases.length === 1 && Number.isFinite(bases[0]) ? bases[0]! : config.optimizer.lr;
}

/** Summarizes the runs of every variant in `variants` order; `configs` are the variants' seed-free configs, `skipped` the reasons some could not run. */
export function summarize(variants: readonly Variant[], configs: ReadonlyMap<string, FitConfig>, runs: readonly RunResult[], skipped: ReadonlyMap<string, string>): VariantSummary[] {
  const out: VariantSummary[] = [];
  for (const v of variants) {
    const config = configs.get(v.id);
    if (!config) continue;
    const mine = runs.filter((r) => r.id === v.id);
    const ok = mine.filter((r) => !r.diverged);
    const acc = meanStd(ok.map((r) => r.accuracy));
    const epochs = Math.max(0, ...ok.map((r) => r.accuracyPerEpoch.length));
    const first = mine[0];
    out.push({
      id: v.id,
      label: v.label,
      study: v.study,
      file: v.file,
      baseline: !!v.baseline,
      optimizer: config.optimizer.type,
      settings: describe(config),
      baseLr: schedulesBase(config),
      batch: config.data.batchSize,
      skipped: skipped.get(v.id),
      seeds: mine.map((r) => r.seed),
      diverged: mine.length - ok.length,
      steps: first?.steps ?? 0,
      lrFirst: first?.lrFirst ?? NaN,
      lrMax: first?.lrMax ?? NaN,
      warmupEpochs: first?.warmupEpochs ?? config.optimizer.largeBatch?.warmupEpochs ?? 0,
      warmupSteps: first?.warmupSteps ?? 0,
      mean: acc.mean,
      std: acc.std,
      min: Math.min(...ok.map((r) => r.accuracy)),
      max: Math.max(...ok.map((r) => r.accuracy)),
      gap: NaN,
      examplesPerSecond: meanStd(ok.map((r) => r.examplesPerSecond)).mean,
      workers: first?.workers ?? 1,
      perEpoch: Array.from({ length: epochs }, (_, e) => meanStd(ok.map((r) => r.accuracyPerEpoch[e] ?? NaN).filter(Number.isFinite))),
      lrTrace: first?.lrTrace ?? [],
    });
  }
  for (const s of out) {
    const base = out.find((b) => b.study === s.study && b.baseline);
    s.gap = base ? (s.mean - base.mean) * 100 : NaN;
  }
  return out;
}

/** One layout of the throughput comparison: the same (c) config in one session or split over workers. */
export interface LayoutResult {
  label: string;
  workers: number;
  threads: number;
  /** examples/s of each round, and their median. */
  rounds: number[];
  examplesPerSecond: number;
  /** Test accuracy of the rounds' runs: the layout must not change it beyond float rounding. */
  accuracies: number[];
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
