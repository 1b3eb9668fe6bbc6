import type { Callback, JsonValue, TrainerControl } from '../callback.js';
import type { EventOf } from '../events.js';

/** Options of {@link updateRatioMonitor}. */
export interface UpdateRatioOptions {
  /** A tensor is flagged when its ratio is below `low` or above `high` (defaults 1e-4 and 1e-2: 10x around the usual ~1e-3). */
  low?: number;
  high?: number;
  key?: string;
}

/** One flagged tensor: its update/weight ratio and which side of the band it fell on. */
export interface RatioFlag {
  step: number;
  tensor: string;
  ratio: number;
  side: 'too-low' | 'too-high';
}

/**
 * Tracks ‖update‖/‖weight‖ per tensor from the step's norm outputs (steps that computed norms:
 * the Trainer's `normsEvery`). Tensors far from ~1e-3 are flagged with a warning event: too
 * high means the learning rate is too large for that tensor, too low that it barely learns.
 *
 * @example
 * const ratios = updateRatioMonitor(); // Trainer({ normsEvery: 50, callbacks: [ratios] }); ratios.history
 */
export function updateRatioMonitor(options: UpdateRatioOptions = {}): Callback & {
  readonly history: readonly { step: number; ratios: Record<string, number> }[];
  readonly flags: readonly RatioFlag[];
} {
  const low = options.low ?? 1e-4;
  const high = options.high ?? 1e-2;
  let history: { step: number; ratios: Record<string, number> }[] = [];
  let flags: RatioFlag[] = [];
  return {
    key: options.key ?? 'update-ratio-monitor',
    get history() {
      return history;
    },
    get flags() {
      return flags;
    },
    onBatchEnd(e: EventOf<'batch:end'>, control: TrainerControl) {
      if (!e.norms) return;
      const ratios: Record<string, number> = {};
      const flagged: RatioFlag[] = [];
      for (const [tensor, n] of Object.entries(e.norms)) {
        const ratio = n.weight > 0 ? n.update / n.weight : NaN;
        ratios[tensor] = ratio;
        if (!Number.isFinite(ratio)) continue;
        if (ratio < low) flagged.push({ step: e.step, tensor, ratio, side: 'too-low' });
        else if (ratio > high) flagged.push({ step: e.step, tensor, ratio, side: 'too-high' });
      }
      history.push({ step: e.step, ratios });
      flags.push(...flagged);
      if (flagged.length) {
        const list = flagged.map((f) => `${f.tensor} ${f.ratio.toExponential(1)} (${f.side})`).join(', ');
        control.warn('UPDATE_RATIO', `step ${e.step}: update/weight ratio outside [${low}, ${high}] for ${list}; ~1e-3 is typical (too high: lower the lr for these tensors; too low: raise it)`);
      }
    },
    // a ratio is NaN where a weight norm is 0 (a zero-initialized bias): null in the JSON state, NaN again on restore
    state: (): JsonValue => ({ history: history.map((h) => ({ step: h.step, ratios: Object.fromEntries(Object.entries(h.ratios).map(([k, r]) => [k, Number.isFinite(r) ? r : null])) })), flags: flags.map((f) => ({ ...f })) }),
    restore(s: JsonValue) {
      const o = s as unknown as { history: { step: number; ratios: Record<string, number | null> }[]; flags: RatioFlag[] };
      history = o.history.map((h) => ({ step: h.step, ratios: Object.fromEntries(Object.entries(h.ratios).map(([k, r]) => [k, r ?? NaN])) }));
      flags = o.flags.map((f) => ({ ...f }));
    },
  };
}
