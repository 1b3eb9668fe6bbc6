import type { DoctorRule } from '../doctor.js';
import { divergedRule } from './diverged.js';
import { formatValue as v, type Finding, type TensorRatio } from '../findings.js';
import { median } from '../smooth.js';

const ID = 'update-ratio';
const MIN_POINTS = 3;

/** Bias vectors start at zero and keep small norms, so their ratio sits above 1e-2 in healthy runs: never flagged as too high. */
const BIAS = /(^|[._/:])bias$/i;
/**
 * Normalization scales (BatchNorm / LayerNorm / GroupNorm weights) start at 1, so their norm is
 * large and their ratio sits near 1e-4 in healthy CNNs: never flagged as too low. Recognized by
 * name: a `bn`, `norm`, `ln` or `gn` component followed by `weight`, `scale` or `gamma`.
 */
const NORM_SCALE = /(^|[._/:])(bn|batch_?norm|layer_?norm|group_?norm|norm|ln|gn)[^./:]*[._/:](weight|scale|gamma)$/i;

/**
 * `update-ratio` (warning): per tensor, the median ‖update‖/‖weight‖ over the ratio points
 * (ignoring the first `ratioSkip` of the steps) outside [`ratioLow`, `ratioHigh`] around the usual
 * ~1e-3 (the band's geometric middle). One finding per side, listing the tensors with their
 * ratios; suggests per-tensor lr (parameter groups with `lrScale`), or a global lr factor (the
 * finding's action, within 10x) when every tensor is on that side. Biases are never flagged
 * as too high, normalization scales never as too low; quiet when the run diverged.
 */
export const updateRatioRule: DoctorRule = {
  id: ID,
  check(curves, ctx) {
    const points = curves.ratios;
    // after a divergence the ratios say nothing new (dead units do not update at all)
    if (points.length === 0 || divergedRule.check(curves, ctx).length) return [];
    const th = ctx.thresholds;
    const first = points[0]!.step;
    const lastStep = Math.max(points[points.length - 1]!.step, curves.batches[curves.batches.length - 1]?.step ?? 0, curves.epochs[curves.epochs.length - 1]?.step ?? 0);
    const skipBefore = first + th.ratioSkip * (lastStep - first);
    let kept = points.filter((p) => p.step >= skipBefore);
    if (kept.length < MIN_POINTS) kept = [...points];
    const series = new Map<string, number[]>();
    for (const p of kept) {
      for (const [name, ratio] of Object.entries(p.ratios)) {
        if (!Number.isFinite(ratio)) continue;
        (series.get(name) ?? series.set(name, []).get(name)!).push(ratio);
      }
    }
    const all: TensorRatio[] = [];
    for (const [name, ratios] of series) {
      if (ratios.length < MIN_POINTS) continue;
      const ratio = median(ratios);
      if (ratio < th.ratioLow && !NORM_SCALE.test(name)) all.push({ name, ratio, side: 'too-low' });
      else if (ratio > th.ratioHigh && !BIAS.test(name)) all.push({ name, ratio, side: 'too-high' });
    }
    const from = kept[0]!.step;
    const to = kept[kept.length - 1]!.step;
    // The middle of the band (geometrically): ~1e-3 with the defaults.
    const typical = Math.sqrt(th.ratioLow * th.ratioHigh);
    const findings: Finding[] = [];
    for (const side of ['too-high', 'too-low'] as const) {
      const tensors = all.filter((t) => t.side === side).sort((a, b) => (side === 'too-high' ? b.ratio - a.ratio : a.ratio - b.ratio));
      if (tensors.length === 0) continue;
      const everyTensor = tensors.length === series.size;
      // The lr factor that would bring the median flagged tensor to the middle of the band (within 100x either way).
      const factor = Math.min(100, Math.max(0.01, typical / median(tensors.map((t) => t.ratio))));
      const high = side === 'too-high';
      const bound = high ? th.ratioHigh : th.ratioLow;
      findings.push({
        id: ID,
        severity: 'warning',
        title: high ? 'Update/weight ratio too high: these tensors change too fast' : 'Update/weight ratio too low: these tensors barely learn',
        evidence: [
          `Median ‖update‖/‖weight‖ over steps ${from}-${to} (${kept.length} measurements) ${high ? 'above' : 'below'} ${v(bound)} (~${v(typical)} is typical):`,
          ...tensors.map((t) => `${t.name}: ${v(t.ratio)} (${v(t.ratio / typical)}x typical)`),
        ],
        suggestion: everyTensor
          ? `${high ? 'Lower' : 'Raise'} the learning rate ~${v(high ? 1 / factor : factor)}x (every tensor is ${side}).`
          : `${high ? 'Lower' : 'Raise'} the lr of these tensors only: a parameter group with lrScale ≈ ${v(factor)} (${v(typical)} / their median ratio).`,
        steps: [from, to],
        tensors,
        // The recipe changes the lr by at most 10x per round.
        ...(everyTensor ? { action: { lrFactor: Math.min(10, Math.max(0.1, factor)) } } : {}),
      });
    }
    return findings;
  },
};
