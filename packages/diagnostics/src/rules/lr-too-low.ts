import type { DoctorContext } from '../doctor-context.js';
import type { DoctorRule } from '../doctor.js';
import { formatPercent as pct, formatValue as v, type Finding } from '../findings.js';
import { firstIndexAtOrBelow } from '../smooth.js';

const ID = 'lr-too-low';

/** The numbers behind lr-too-low. */
export interface SlowDescent {
  readonly initial: number;
  readonly final: number;
  /** Step at which the loss first reached half-way from `initial` to `final`. */
  readonly halfStep: number;
  /** Steps from the start (after warmup) to `halfStep`, as a fraction of the run. */
  readonly halfFraction: number;
  /** The loss a quarter of the run before the end, and the relative drop from there to the end. */
  readonly quarterLevel: number;
  readonly lastQuarterDrop: number;
  readonly fires: boolean;
}

/**
 * Measures how slowly the loss comes down: how long half of the whole drop took, and whether it
 * was still falling over the last quarter. Undefined when the run cannot be judged yet.
 *
 * @example
 * ```ts
 * slowDescent(ctx)?.fires; // true: lr-too-low would report
 * ```
 */
export function slowDescent(ctx: DoctorContext): SlowDescent | undefined {
  const t = ctx.trend;
  if (!t || !ctx.judgeShape) return undefined;
  const span = t.end - t.start;
  const final = t.final;
  if (!(span > 0) || !(t.initial > final)) return undefined;
  const i = firstIndexAtOrBelow(t.smooth, (t.initial + final) / 2);
  if (i < 0) return undefined;
  // Interpolated between the points around the crossing (epoch points are far apart).
  const mid = (t.initial + final) / 2;
  const [x0, y0, x1, y1] = i > 0 ? [t.steps[i - 1]!, t.smooth[i - 1]!, t.steps[i]!, t.smooth[i]!] : [t.steps[0]!, t.initial, t.steps[0]!, t.smooth[0]!];
  const halfStep = y0 > y1 ? x0 + ((y0 - mid) / (y0 - y1)) * (x1 - x0) : x1;
  const halfFraction = Math.max(0, halfStep - t.start) / span;
  // Wide windows (10% of the run) around 75% and 95% of the run: batch losses are noisy.
  const quarterLevel = t.levelBetween(t.stepAt(0.7), t.stepAt(0.8));
  const lastQuarterDrop = 1 - final / quarterLevel;
  const th = ctx.thresholds;
  const fires = halfFraction >= th.slowHalfFraction && halfStep - t.start >= th.minHalfSteps && lastQuarterDrop >= th.stillFalling && !ctx.converged;
  return { initial: t.initial, final, halfStep, halfFraction, quarterLevel, lastQuarterDrop, fires };
}

/**
 * `lr-too-low` (warning): the loss falls too slowly — half of its drop took at least
 * `slowHalfFraction` of the run (no early knee), it was still falling (`stillFalling`) over the
 * last quarter, and the run has not converged. Suggests a 3-10x higher lr.
 */
export const lrTooLowRule: DoctorRule = {
  id: ID,
  check(_curves, ctx) {
    const m = slowDescent(ctx);
    if (!m?.fires) return [];
    const t = ctx.trend!;
    const factor = m.halfFraction >= 0.25 ? 10 : 3;
    const start = Math.round(t.start);
    const end = Math.round(t.end);
    const evidence = [
      `Half of the loss drop (${v(m.initial)} -> ${v(m.final)}) took ${Math.round(m.halfStep - t.start)} steps, ${pct(m.halfFraction)} of the run${start > 0 ? ` after warmup (step ${start})` : ''}; a well-tuned lr makes most of the drop in the first few percent.`,
      `The loss was still falling at the end: ${pct(m.lastQuarterDrop)} over the last quarter (${v(m.quarterLevel)} -> ${v(m.final)}).`,
    ];
    if (ctx.finalTrainAccuracy !== undefined) evidence.push(`Final training accuracy ${v(ctx.finalTrainAccuracy)}.`);
    const finding: Finding = {
      id: ID,
      severity: 'warning',
      title: 'Learning rate too low: the loss falls slowly',
      evidence,
      suggestion: `Raise the learning rate ${factor}x (try 3x and 10x if you can afford two runs); keep the schedule's shape.`,
      steps: [start, end],
      action: { lrFactor: factor },
    };
    return [finding];
  },
};
