import type { DoctorContext } from '../doctor-context.js';
import type { DoctorRule } from '../doctor.js';
import { formatPercent as pct, formatValue as v, type Finding } from '../findings.js';
import { divergedRule } from './diverged.js';

const ID = 'lr-too-high';

/** The numbers behind lr-too-high. */
export interface EarlyPlateau {
  readonly initial: number;
  readonly final: number;
  /** Step at the end of the early window (`fastWindow` of the run) and the loss there. */
  readonly earlyStep: number;
  readonly earlyLevel: number;
  /** Share of the whole drop reached by `earlyStep`. */
  readonly earlyShare: number;
  /** Step half-way through the run, the loss around it (40-60%), the loss over the last 20%, and the relative improvement between them. */
  readonly midStep: number;
  readonly midLevel: number;
  readonly endLevel: number;
  readonly lastHalfImprovement: number;
  readonly fires: boolean;
}

/**
 * Measures "fast then flat at a constant lr": the share of the loss drop made early, and the
 * improvement over the last half. Undefined when the run cannot be judged or the lr decayed.
 *
 * @example
 * ```ts
 * earlyPlateau(ctx)?.fires; // true: lr-too-high would report
 * ```
 */
export function earlyPlateau(ctx: DoctorContext): EarlyPlateau | undefined {
  const t = ctx.trend;
  if (!t || !ctx.judgeShape || ctx.lr.constant === false) return undefined;
  const th = ctx.thresholds;
  const final = t.final;
  if (!(t.end > t.start) || !(t.initial > final)) return undefined;
  const earlyStep = t.stepAt(th.fastWindow);
  const earlyLevel = t.levelAt(earlyStep);
  const earlyShare = (t.initial - earlyLevel) / (t.initial - final);
  // Wide windows (20% of the run each) around 50% and 90% of the run: batch losses at a high lr are noisy.
  const midStep = t.stepAt(0.5);
  const midLevel = t.levelBetween(t.stepAt(0.4), t.stepAt(0.6));
  const endLevel = t.levelBetween(t.stepAt(0.8), t.end + 1);
  const lastHalfImprovement = 1 - endLevel / midLevel;
  const fires = earlyShare >= th.fastDropFraction && lastHalfImprovement < th.flatImprovement && !ctx.converged;
  return { initial: t.initial, final, earlyStep, earlyLevel, earlyShare, midStep, midLevel, endLevel, lastHalfImprovement, fires };
}

/** How the lr behaved after warmup, for the evidence. */
function lrText(ctx: DoctorContext): string {
  const lr = ctx.lr;
  if (lr.source === 'none') return 'No lr was logged; no decay was seen.';
  const after = lr.values.filter((_, i) => lr.steps[i]! >= lr.warmupEnd);
  const min = Math.min(...after);
  const warm = lr.warmupEnd > lr.steps[0]! ? ' after warmup' : '';
  return min === lr.max ? `The lr stayed at ${v(lr.max)}${warm}: no decay.` : `The lr stayed between ${v(min)} and ${v(lr.max)}${warm}: no real decay.`;
}

/**
 * `lr-too-high` (warning): fast then flat — at least `fastDropFraction` of the loss drop in the
 * first `fastWindow` of the run, less than `flatImprovement` over the last half, at a constant lr
 * (no decay), and not converged; quiet when the run diverged (that finding says more). Suggests
 * adding lr decay (or a ~3x lower lr).
 */
export const lrTooHighRule: DoctorRule = {
  id: ID,
  check(curves, ctx) {
    const m = earlyPlateau(ctx);
    if (!m?.fires || divergedRule.check(curves, ctx).length) return [];
    const t = ctx.trend!;
    const evidence = [
      `${pct(m.earlyShare)} of the loss drop (${v(m.initial)} -> ${v(m.final)}) happened in the first ${pct(ctx.thresholds.fastWindow)} of the run (by step ${Math.round(m.earlyStep)}).`,
      `Over the last half (steps ${Math.round(m.midStep)}-${Math.round(t.end)}) the loss ${m.lastHalfImprovement >= 0 ? `improved only ${pct(m.lastHalfImprovement)}` : `got ${pct(-m.lastHalfImprovement)} worse`} (${v(m.midLevel)} around the middle -> ${v(m.endLevel)} over the last 20%).`,
      lrText(ctx),
    ];
    if (ctx.finalTrainAccuracy !== undefined) evidence.push(`Final training accuracy ${v(ctx.finalTrainAccuracy)}: not near 100%.`);
    else evidence.push(`The final loss ${v(m.final)} is ${pct(m.final / m.initial)} of the initial one: not near 0.`);
    // Epoch means that went up at a constant lr: updates overshoot.
    const rises = curves.epochs.filter((e, i) => i > 0 && e.trainLoss > 1.05 * curves.epochs[i - 1]!.trainLoss);
    if (rises.length) evidence.push(`The epoch mean training loss rose ${rises.length} time(s) (e.g. epoch ${rises[0]!.epoch}: ${v(curves.epochs[curves.epochs.indexOf(rises[0]!) - 1]!.trainLoss)} -> ${v(rises[0]!.trainLoss)}).`);
    const finding: Finding = {
      id: ID,
      severity: 'warning',
      title: 'Learning rate too high: fast progress, then a plateau',
      evidence,
      suggestion: 'Add lr decay (cosine to ~0, or step decay 10x at ~60% and ~85% of the run); or lower the learning rate ~3x.',
      steps: [Math.round(m.midStep), Math.round(t.end)],
      action: { addDecay: true },
    };
    return [finding];
  },
};
