import type { DoctorContext } from '../doctor-context.js';
import type { DoctorRule } from '../doctor.js';
import { formatPercent as pct, formatValue as v, type Finding } from '../findings.js';
import type { LrDecay } from '../lr-history.js';

const ID = 'decayed-too-early';

/** The numbers behind decayed-too-early, for one lr decay. */
export interface EarlyDecay {
  readonly decay: LrDecay;
  /** The window before the decay: its first step, the loss there and right before the decay. */
  readonly preFrom: number;
  readonly preLevel: number;
  readonly atDecayLevel: number;
  /** Relative loss drop per 10% of the run before the decay. */
  readonly preRate: number;
  /** Post-decay segment (after settling) to its end, its levels, and its relative drop per 10% of the run. */
  readonly postFrom: number;
  readonly postTo: number;
  readonly postLevel: number;
  readonly endLevel: number;
  readonly postRate: number;
  readonly fires: boolean;
}

function measure(ctx: DoctorContext, index: number): EarlyDecay | undefined {
  const t = ctx.trend!;
  const th = ctx.thresholds;
  const decays = ctx.lr.decays;
  const decay = decays[index]!;
  const span = t.end - t.start;
  const d = decay.step;
  const segmentStart = index > 0 ? decays[index - 1]!.step : t.start;
  const segmentEnd = index + 1 < decays.length ? decays[index + 1]!.step : t.end;
  const preLen = Math.min(d - Math.max(segmentStart, t.steps[0]!), 0.1 * span);
  if (!(preLen >= 0.03 * span)) return undefined;
  const window = Math.max(preLen / 4, 0.02 * span);
  const preFrom = d - preLen;
  const preLevel = t.levelBetween(preFrom, preFrom + window);
  const atDecayLevel = t.levelBetween(d - window, d);
  const preRate = (1 - atDecayLevel / preLevel) / (preLen / span / 0.1);
  const postFrom = d + Math.max(0.05 * span, window);
  const postTo = segmentEnd;
  if (!(postTo - postFrom >= 0.2 * span)) return undefined;
  const postLevel = t.levelBetween(postFrom, postFrom + window);
  const endLevel = index + 1 < decays.length ? t.levelBetween(postTo - window, postTo) : t.final;
  const postRate = (1 - endLevel / postLevel) / ((postTo - postFrom) / span / 0.1);
  const fires = preRate >= th.decayPreRate && postRate < th.decayPostRate && postRate < preRate / 3 && !ctx.converged;
  return { decay, preFrom, preLevel, atDecayLevel, preRate, postFrom, postTo, postLevel, endLevel, postRate, fires };
}

/**
 * Measures every lr decay of the run and returns the first one that came too early (or, when
 * none did, the last one measured). Undefined when there is no judgeable decay.
 *
 * @example
 * ```ts
 * earlyDecay(ctx)?.decay.step; // the step of the decay that came too early
 * ```
 */
export function earlyDecay(ctx: DoctorContext): EarlyDecay | undefined {
  if (!ctx.trend || !ctx.judgeShape) return undefined;
  let last: EarlyDecay | undefined;
  for (let i = 0; i < ctx.lr.decays.length; i++) {
    const m = measure(ctx, i);
    if (m?.fires) return m;
    last = m ?? last;
  }
  return last;
}

/**
 * `decayed-too-early` (warning): at an lr decay (a drop by `decayFactor` or more) the loss was
 * still falling clearly (`decayPreRate` per 10% of the run), and after a one-time step down it
 * stayed flat (below `decayPostRate`) until the end (or the next decay), without converging.
 * Suggests moving the decay later.
 */
export const decayedTooEarlyRule: DoctorRule = {
  id: ID,
  check(_curves, ctx) {
    const m = earlyDecay(ctx);
    if (!m?.fires) return [];
    const t = ctx.trend!;
    const d = m.decay;
    // At least as long again as the loss was falling before the decay, and not before half-way through the run.
    const delaySteps = Math.max(d.step - t.start, t.stepAt(0.5) - d.step, ctx.stepsPerEpoch ?? 0);
    const perEpoch = ctx.stepsPerEpoch;
    // The new decay step, as the (1-based) epoch it falls in: step s is in epoch floor(s / P) + 1.
    const delay = perEpoch ? `~${Math.max(1, Math.round(delaySteps / perEpoch))} epoch(s) (to about epoch ${Math.floor(Math.round(d.step + delaySteps) / perEpoch) + 1})` : `~${Math.round(delaySteps)} steps (to about step ${Math.round(d.step + delaySteps)})`;
    const end = Math.round(m.postTo);
    const finding: Finding = {
      id: ID,
      severity: 'warning',
      title: 'Learning rate decayed too early: the loss was still falling',
      evidence: [
        `The lr dropped ${v(d.before / d.after)}x (${v(d.before)} -> ${v(d.after)}) at step ${d.step} (epoch ${d.epoch}).`,
        `Before it the loss was still falling clearly: ${v(m.preLevel)} -> ${v(m.atDecayLevel)} over steps ${Math.round(m.preFrom)}-${d.step} (${pct(m.preRate)} per 10% of the run).`,
        `After it the loss stepped to ${v(m.postLevel)} and then stayed nearly flat: ${v(m.postLevel)} -> ${v(m.endLevel)} over steps ${Math.round(m.postFrom)}-${end} (${pct(m.postRate)} per 10% of the run).`,
        ...(ctx.finalTrainAccuracy !== undefined ? [`Final training accuracy ${v(ctx.finalTrainAccuracy)}.`] : []),
      ],
      suggestion: `Decayed too early: move the decay later by ${delay}, at least as long again as the loss was falling before it and not before half-way through the run; or use a schedule that decays gradually (cosine).`,
      steps: [d.step, end],
      epochs: [d.epoch, ctx.epochOf(end)],
      action: { decayLater: true },
    };
    return [finding];
  },
};
