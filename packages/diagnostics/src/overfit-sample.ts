import type { Batch } from '@anneal/core';
import type { ProbeTarget } from './target.js';

/** Options of {@link overfitSmallSample}. */
export interface OverfitOptions {
  /** The learning rate (the run's configured one). */
  lr: number;
  /** Training batches in the sample (default 2). */
  batches?: number;
  /** Step budget (default 300). */
  maxSteps?: number;
  /** Training accuracy that counts as fitted (default 0.99); without accuracy, loss below `targetLossRatio` x the first loss. */
  targetAccuracy?: number;
  targetLossRatio?: number;
  /** Evaluate the sample every N steps (default 10). */
  evalEvery?: number;
}

/** What the small-sample overfit reached. */
export interface OverfitResult {
  readonly reached: boolean;
  readonly examples: number;
  readonly steps: number;
  readonly lr: number;
  readonly finalLoss: number;
  readonly finalAccuracy?: number;
  /** Loss of every step. */
  readonly losses: readonly number[];
  /** Accuracy on the sample at each evaluation. */
  readonly checks: readonly { step: number; loss: number; accuracy?: number }[];
  readonly verdict: string;
  readonly causes: readonly string[];
}

/**
 * Step 2 of the recipe: trains a fresh model (no weight decay) on a few fixed batches until it
 * fits them (training accuracy ~100%) or the step budget runs out. A model that cannot memorise
 * a handful of examples has a bug or far too little capacity, and tuning it further is wasted.
 *
 * @example
 * const r = await overfitSmallSample(target, { lr: 1e-3 }); // { reached: true, steps: 60, finalAccuracy: 1 }
 */
export async function overfitSmallSample(target: ProbeTarget, options: OverfitOptions): Promise<OverfitResult> {
  const { lr } = options;
  const maxSteps = options.maxSteps ?? 300;
  const targetAccuracy = options.targetAccuracy ?? 0.99;
  const targetLossRatio = options.targetLossRatio ?? 0.01;
  const evalEvery = options.evalEvery ?? 10;
  const sample: Batch[] = [];
  for (const b of target.trainBatches(0)) {
    sample.push(b);
    if (sample.length >= (options.batches ?? 2)) break;
  }
  const session = await target.session({ weightDecay: 0 });
  const losses: number[] = [];
  const checks: { step: number; loss: number; accuracy?: number }[] = [];
  let reached = false;
  let examples = 0;
  try {
    const first = await session.evaluate(sample);
    examples = first.count;
    checks.push({ step: 0, loss: first.loss, accuracy: first.accuracy });
    for (let step = 1; step <= maxSteps && !reached; step++) {
      const { loss } = await session.step(sample[(step - 1) % sample.length]!, { lr });
      losses.push(loss);
      if (!Number.isFinite(loss)) break;
      if (step % evalEvery === 0 || step === maxSteps) {
        const r = await session.evaluate(sample);
        checks.push({ step, loss: r.loss, accuracy: r.accuracy });
        reached = r.accuracy !== undefined ? r.accuracy >= targetAccuracy : r.loss <= targetLossRatio * first.loss;
      }
    }
  } finally {
    await session.release();
  }
  const last = checks.at(-1)!;
  const diverged = losses.some((l) => !Number.isFinite(l));
  const causes: string[] = [];
  if (!reached) {
    if (diverged) causes.push(`the loss became non-finite at step ${losses.findIndex((l) => !Number.isFinite(l)) + 1}: the learning rate ${lr} is too high for this model`);
    else {
      const drop = 1 - last.loss / checks[0]!.loss;
      if (drop < 0.1) causes.push(`the loss barely moved (${(drop * 100).toFixed(0)}% lower): gradients do not reach the weights (frozen or disconnected parameters, a loss wired to the wrong output) or the learning rate ${lr} is far too low`);
      else causes.push(`the loss fell ${(drop * 100).toFixed(0)}% but not far enough: raise the learning rate or the step budget, or the model lacks capacity`);
      causes.push('labels inconsistent with the inputs (duplicated inputs with different labels) cannot be memorised');
    }
  }
  const acc = last.accuracy !== undefined ? `training accuracy ${(last.accuracy * 100).toFixed(1)}%` : `loss ${last.loss.toPrecision(3)}`;
  const verdict = reached
    ? `fitted ${examples} examples in ${last.step} steps (${acc}, lr ${lr})`
    : `could not fit ${examples} examples in ${maxSteps} steps (${acc}, lr ${lr}): the model, optimizer or initialisation cannot fit; fix that before tuning`;
  return { reached, examples, steps: last.step, lr, finalLoss: last.loss, finalAccuracy: last.accuracy, losses, checks, verdict, causes };
}
