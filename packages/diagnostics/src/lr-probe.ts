import { batchStream } from './batch-stream.js';
import type { ProbeTarget } from './target.js';

/** Options of {@link probeLearningRates}. */
export interface LrProbeOptions {
  /** Learning rates tried, each from the same fresh model (default 1e-1, 1e-2, 1e-3, 1e-4). */
  lrs?: readonly number[];
  /** Steps per learning rate over all the training data (default 100). */
  iterations?: number;
  /** A small weight decay (default 1e-4). */
  weightDecay?: number;
  /** Keep a learning rate whose loss fell by at least this fraction (default 0.1). */
  minDrop?: number;
}

/** One probed learning rate. */
export interface LrProbeRun {
  readonly lr: number;
  readonly losses: readonly number[];
  /** The first loss (before any update) and the mean of the last tenth. */
  readonly initial: number;
  readonly final: number;
  /** 1 - final / initial. */
  readonly drop: number;
  readonly diverged: boolean;
  readonly kept: boolean;
}

/** The probe's runs, the kept learning rates and the best one (lowest final loss). */
export interface LrProbeResult {
  readonly runs: readonly LrProbeRun[];
  readonly kept: readonly number[];
  readonly best?: number;
  readonly iterations: number;
  readonly weightDecay: number;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Step 3a of the recipe: trains a fresh model for `iterations` steps at each learning rate
 * (all data, a small weight decay) and keeps those that make the loss drop significantly.
 *
 * @example
 * const p = await probeLearningRates(target); // p.kept: [0.01, 0.001], p.best: 0.01
 */
export async function probeLearningRates(target: ProbeTarget, options: LrProbeOptions = {}): Promise<LrProbeResult> {
  const lrs = options.lrs ?? [1e-1, 1e-2, 1e-3, 1e-4];
  const iterations = options.iterations ?? 100;
  const weightDecay = options.weightDecay ?? 1e-4;
  const minDrop = options.minDrop ?? 0.1;
  const runs: LrProbeRun[] = [];
  for (const lr of lrs) {
    const session = await target.session({ weightDecay });
    const losses: number[] = [];
    try {
      for (const batch of batchStream(target, iterations)) {
        const { loss } = await session.step(batch, { lr });
        losses.push(loss);
        if (!Number.isFinite(loss)) break;
      }
    } finally {
      await session.release();
    }
    const diverged = losses.some((l) => !Number.isFinite(l));
    const initial = losses[0]!;
    const final = diverged ? NaN : mean(losses.slice(-Math.max(1, Math.floor(losses.length / 10))));
    const drop = diverged ? NaN : 1 - final / initial;
    runs.push({ lr, losses, initial, final, drop, diverged, kept: !diverged && drop >= minDrop && final < initial });
  }
  const kept = runs.filter((r) => r.kept);
  const best = kept.length ? kept.reduce((a, b) => (b.final < a.final ? b : a)).lr : undefined;
  return { runs, kept: kept.map((r) => r.lr), best, iterations, weightDecay };
}
