import { defineCallback, type Callback, type EventOf, type JsonValue, type TrainerControl } from '@anneal/core';
import { z } from 'zod';

/** Options of {@link lossSpikeGuard}. */
export interface LossSpikeGuardOptions {
  /** A batch loss above `factor` × the running average is a spike (default 3). */
  factor?: number;
  /** Weight of the newest batch loss in the running average (default 0.05). */
  alpha?: number;
  /** Batches seen before spikes count (the average settles first; default 20). */
  warmup?: number;
  /** Stop training after this many spikes (default 5); every spike before that is a warning. */
  maxSpikes?: number;
}

/** Zod schema of {@link LossSpikeGuardOptions}. */
export const lossSpikeGuardOptions = z.strictObject({
  factor: z.number().gt(1).default(3),
  alpha: z.number().gt(0).max(1).default(0.05),
  warmup: z.number().int().nonnegative().default(20),
  maxSpikes: z.number().int().positive().default(5),
});

interface GuardState {
  average: number | null;
  seen: number;
  spikes: number;
}

/**
 * Watches the batch losses for spikes (a loss above `factor` × their exponential running
 * average): each one is a warning event, and after `maxSpikes` the run stops — the sign of an lr
 * too high for the data before the loss goes to NaN. Spiking batches do not enter the average.
 * Its state (average, count, spikes) is saved in every checkpoint, so a resumed run makes the
 * same decisions.
 *
 * @example
 * new Trainer({ ..., callbacks: [lossSpikeGuard({ factor: 4, maxSpikes: 3 })] });
 */
export function lossSpikeGuard(options: LossSpikeGuardOptions = {}, key = 'loss-spike-guard'): Callback & { readonly spikes: number } {
  const o = lossSpikeGuardOptions.parse(options);
  let s: GuardState = { average: null, seen: 0, spikes: 0 };
  return {
    key,
    get spikes() {
      return s.spikes;
    },
    onBatchEnd(e: EventOf<'batch:end'>, control: TrainerControl) {
      if (!Number.isFinite(e.loss) || e.skipped) return;
      s.seen++;
      if (s.average !== null && s.seen > o.warmup && e.loss > o.factor * s.average) {
        s.spikes++;
        if (s.spikes >= o.maxSpikes) control.stop(`${s.spikes} loss spikes (last: ${e.loss.toFixed(4)} at step ${e.step}, ${(e.loss / s.average).toFixed(1)}x the running average): lower the lr`);
        else control.warn('loss-spike', `batch loss ${e.loss.toFixed(4)} at step ${e.step} is ${(e.loss / s.average).toFixed(1)}x the running average ${s.average.toFixed(4)} (spike ${s.spikes} of ${o.maxSpikes})`);
        return;
      }
      s.average = s.average === null ? e.loss : s.average + o.alpha * (e.loss - s.average);
    },
    state: (): JsonValue => ({ ...s }),
    restore(state: JsonValue) {
      const r = state as unknown as GuardState;
      s = { average: r.average, seen: r.seen, spikes: r.spikes };
    },
  };
}

/** The descriptor a config names as `callbacks: [{ type: loss-spike-guard, package: '@anneal/callback-plugin-example', factor: 4 }]`. */
export const lossSpikeGuardDescriptor = defineCallback({
  id: 'loss-spike-guard',
  description: 'warn on batch-loss spikes above factor x their running average; stop after maxSpikes',
  options: lossSpikeGuardOptions,
  create: (o) => lossSpikeGuard(o),
});
