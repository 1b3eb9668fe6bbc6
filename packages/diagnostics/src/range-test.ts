import { batchStream } from './batch-stream.js';
import { emaSmooth } from './smooth.js';
import type { ProbeTarget } from './target.js';

/** Options of {@link lrRangeTest}. */
export interface RangeTestOptions {
  /** First and last learning rate of the exponential sweep (defaults 1e-6 and 1). */
  start?: number;
  end?: number;
  /** Steps of the sweep (default 100). */
  steps?: number;
  /** EMA factor of the smoothed loss (default 0.9), bias-corrected. */
  beta?: number;
  /** Stop once the smoothed loss exceeds this multiple of its minimum (default 4). */
  divergeFactor?: number;
  weightDecay?: number;
}

/** The sweep and what it suggests. */
export interface RangeTestResult {
  readonly lrs: readonly number[];
  readonly losses: readonly number[];
  readonly smoothed: readonly number[];
  /** The lr where the smoothed loss falls fastest per log-lr (before its minimum): the suggestion. */
  readonly suggested?: number;
  readonly steepest?: number;
  /** The lr at the smoothed loss's minimum, and a tenth of it (the other common rule). */
  readonly minimum?: number;
  readonly minimumOver10?: number;
  /** The sweep stopped because the loss blew up. */
  readonly stoppedEarly: boolean;
}

/**
 * Step 3b of the recipe, the learning-rate range test (Smith 2017): one fresh model trained with
 * the learning rate growing exponentially from `start` to `end`, one step per batch, stopped when
 * the smoothed loss blows up. The suggestion is the lr of the steepest descent of the smoothed
 * loss against log lr; `minimum / 10` is reported too.
 *
 * @example
 * const r = await lrRangeTest(target); // r.suggested: 3.2e-3
 */
export async function lrRangeTest(target: ProbeTarget, options: RangeTestOptions = {}): Promise<RangeTestResult> {
  const start = options.start ?? 1e-6;
  const end = options.end ?? 1;
  const steps = options.steps ?? 100;
  const beta = options.beta ?? 0.9;
  const divergeFactor = options.divergeFactor ?? 4;
  const session = await target.session({ weightDecay: options.weightDecay ?? 0 });
  const lrs: number[] = [];
  const losses: number[] = [];
  let stoppedEarly = false;
  try {
    let i = 0;
    let best = Infinity;
    for (const batch of batchStream(target, steps)) {
      const lr = start * (end / start) ** (i / Math.max(1, steps - 1));
      const { loss } = await session.step(batch, { lr });
      lrs.push(lr);
      losses.push(loss);
      i++;
      if (!Number.isFinite(loss)) {
        stoppedEarly = true;
        break;
      }
      const s = emaSmooth(losses, beta).at(-1)!;
      best = Math.min(best, s);
      if (i > 5 && s > divergeFactor * best) {
        stoppedEarly = true;
        break;
      }
    }
  } finally {
    await session.release();
  }
  const finite = losses.findIndex((l) => !Number.isFinite(l));
  const n = finite < 0 ? losses.length : finite;
  const smoothed = emaSmooth(losses.slice(0, n), beta);
  if (n < 5) return { lrs, losses, smoothed, stoppedEarly };
  let minAt = 0;
  for (let k = 1; k < n; k++) if (smoothed[k]! < smoothed[minAt]!) minAt = k;
  let steepestAt: number | undefined;
  let slope = 0;
  const from = Math.max(1, Math.floor(n * 0.05));
  for (let k = from; k < minAt; k++) {
    const d = (smoothed[k + 1]! - smoothed[k - 1]!) / (Math.log(lrs[k + 1]!) - Math.log(lrs[k - 1]!));
    if (d < slope) {
      slope = d;
      steepestAt = k;
    }
  }
  const steepest = steepestAt !== undefined ? lrs[steepestAt] : undefined;
  return { lrs, losses, smoothed, suggested: steepest, steepest, minimum: lrs[minAt], minimumOver10: lrs[minAt]! / 10, stoppedEarly };
}
