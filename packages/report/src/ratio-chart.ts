import { ChartError } from './errors.js';
import { decadeTicks, formatSci } from './format-number.js';
import { referenceRuleLayers } from './reference-rules.js';
import { layeredChart, type LayerEntry } from './vega-lite-base.js';
import type { VegaLiteSpec } from './vega-lite-svg.js';

/** Options of ratioChart. */
export interface RatioChartOptions {
  /** Lower edge of the healthy band; default 1e-4. */
  low?: number;
  /** Upper edge of the healthy band; default 1e-2. */
  high?: number;
  /** Most tensors drawn (the rest are left out of the plot and the legend); default 12. */
  maxTensors?: number;
  /** Default `'Update / weight ratio'`. */
  title?: string;
}

/** The ratio a well-tuned learning rate typically gives (Karpathy's rule of thumb). */
const TYPICAL = 1e-3;

/**
 * ‖update‖ / ‖weight‖ per tensor over optimizer steps on a log axis, with rules at the typical
 * 1e-3 and at the `low`/`high` edges of the healthy band (shaded). With more than `maxTensors`
 * tensors only the most extreme are drawn: those whose median ratio is furthest from 1e-3 in
 * decades, so the legend stays readable and shows the tensors worth a look (the subtitle says
 * how many were left out). Ratios <= 0 or not finite (frozen or diverged) are not drawn.
 *
 * @example
 * ```ts
 * await writeVegaLite('runs/7/ratios', ratioChart([{ step: 10, ratios: { 'fc.weight': 2e-3, 'fc.bias': 4e-4 } }]));
 * ```
 */
export function ratioChart(
  points: readonly { step: number; ratios: Readonly<Record<string, number>> }[],
  options: RatioChartOptions = {},
): VegaLiteSpec {
  const title = options.title ?? 'Update / weight ratio';
  const low = options.low ?? 1e-4;
  const high = options.high ?? 1e-2;
  const maxTensors = options.maxTensors ?? 12;
  if (!(low > 0 && high > low && Number.isFinite(high))) {
    throw new ChartError(title, `options.low and options.high must satisfy 0 < low < high, got low ${low}, high ${high}.`);
  }
  if (!(Number.isInteger(maxTensors) && maxTensors >= 1)) {
    throw new ChartError(title, `options.maxTensors must be an integer >= 1, got ${maxTensors}.`);
  }
  const byTensor = new Map<string, { step: number; ratio: number }[]>();
  for (const p of points) {
    for (const [tensor, ratio] of Object.entries(p.ratios)) {
      if (!byTensor.has(tensor)) byTensor.set(tensor, []);
      if (Number.isFinite(p.step) && Number.isFinite(ratio) && ratio > 0) byTensor.get(tensor)?.push({ step: p.step, ratio });
    }
  }
  const drawable = [...byTensor].filter(([, values]) => values.length > 0);
  if (drawable.length === 0) {
    throw new ChartError(title, `nothing to draw: ${points.length} steps, ${byTensor.size} tensors, but no finite ratio > 0. Check that the update and weight norms were recorded.`);
  }
  const shown = mostExtreme(drawable, maxTensors);
  const values = shown.flatMap(([tensor, series]) => series.map((s) => ({ tensor, ...s })));
  const step = { field: 'step', type: 'quantitative', title: 'step', scale: { zero: false } } as const;
  const lo = values.reduce((m, v) => Math.min(m, v.ratio), low);
  const hi = values.reduce((m, v) => Math.max(m, v.ratio), high);
  const ticks = decadeTicks(lo, hi);
  const ratio = {
    field: 'ratio',
    type: 'quantitative',
    title: '‖update‖ / ‖weight‖',
    scale: { type: 'log' },
    axis: { values: ticks, format: '~e' },
  } as const;
  const band: LayerEntry = {
    data: { values: [{ ratio: low, ratioHigh: high }] },
    mark: { type: 'rect', color: '#2ca02c', opacity: 0.07 },
    encoding: { y: ratio, y2: { field: 'ratioHigh' } },
  };
  const lines: LayerEntry = {
    data: { values },
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: step,
      y: ratio,
      color: { field: 'tensor', type: 'nominal', title: 'tensor', scale: { domain: shown.map(([t]) => t), scheme: 'tableau20' } },
    },
  };
  const rules = referenceRuleLayers('y', 'ratio', [
    { value: high, label: `high ${formatSci(high)}`, color: '#d62728', dash: [6, 4] },
    { value: TYPICAL, label: `typical ${formatSci(TYPICAL)}`, color: '#555' },
    { value: low, label: `low ${formatSci(low)}`, color: '#1f77b4', dash: [6, 4] },
  ]);
  const notes = [
    ...(shown.length < drawable.length
      ? [`${shown.length} of ${drawable.length} tensors shown: those whose median ratio is furthest from ${formatSci(TYPICAL)}`]
      : []),
    ...(byTensor.size > drawable.length ? [`${byTensor.size - drawable.length} without a ratio > 0 left out`] : []),
  ];
  const subtitle = notes.length > 0 ? notes.join('; ') : undefined;
  return layeredChart({ title, subtitle, width: 560, height: 320, layer: [band, lines, ...rules] });
}

/** The `max` tensors whose median ratio is furthest from TYPICAL in log10, in their input order. */
function mostExtreme<T extends [string, { ratio: number }[]]>(tensors: T[], max: number): T[] {
  if (tensors.length <= max) return tensors;
  const distance = new Map(tensors.map(([name, s]) => [name, Math.abs(Math.log10(median(s.map((v) => v.ratio)) / TYPICAL))]));
  const keep = new Set(
    [...tensors].sort((a, b) => (distance.get(b[0]) ?? 0) - (distance.get(a[0]) ?? 0)).slice(0, max).map(([name]) => name),
  );
  return tensors.filter(([name]) => keep.has(name));
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
