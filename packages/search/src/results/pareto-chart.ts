import { join } from 'node:path';
import { writeVegaLite, type PngOptions, type VegaLiteSpec } from '@anneal/report';
import { objectiveValues, paretoFront } from '../multi-objective/dominance.js';
import type { Direction, FrozenTrial } from '../types.js';
import { STUDY_CHART_CONFIG, VEGA_LITE_SCHEMA } from './param-axes.js';
import { StudyResultsError } from './results-error.js';

/** Options of {@link paretoFrontSpec}. */
export interface ParetoChartOptions {
  /** Axis titles, one per objective (default 'objective 1', ...). */
  readonly objectiveNames?: readonly string[];
  readonly title?: string;
}

/**
 * The Vega-Lite spec of a multi-objective study's trials: every complete trial as a grey point,
 * the Pareto front in orange, joined by a step line in the order of the first objective. With
 * more than two objectives, one panel per pair of objectives (the front of all objectives
 * highlighted in each). Throws StudyResultsError without a complete trial with one value per
 * direction.
 *
 * @example
 * ```ts
 * await writeVegaLite('study/pareto-front', paretoFrontSpec(trials, ['maximize', 'minimize'], { objectiveNames: ['accuracy', 'parameters'] }));
 * ```
 */
export function paretoFrontSpec(trials: readonly FrozenTrial[], directions: readonly Direction[], options: ParetoChartOptions = {}): VegaLiteSpec {
  const chart = 'Pareto front chart';
  if (directions.length < 2) throw new StudyResultsError(chart, `needs a study with two or more objectives, got ${directions.length}`);
  const complete = trials.filter((t) => t.state === 'complete' && objectiveValues(t)?.length === directions.length && objectiveValues(t)!.every(Number.isFinite));
  if (!complete.length) throw new StudyResultsError(chart, `no complete trial has ${directions.length} finite objective values; finish some trials first`);
  const names = directions.map((d, i) => `${options.objectiveNames?.[i] ?? `objective ${i + 1}`} (${d})`);
  const front = new Set(paretoFront(complete, directions));
  const rows = complete.map((t) => ({ trial: t.number, kind: front.has(t) ? 'Pareto front' : 'trial', ...Object.fromEntries(objectiveValues(t)!.map((v, i) => [`o${i}`, v])) }));
  const panel = (i: number, j: number) => {
    const x = { field: `o${i}`, type: 'quantitative', title: names[i], scale: { zero: false } } as const;
    const y = { field: `o${j}`, type: 'quantitative', title: names[j], scale: { zero: false } } as const;
    const color = { field: 'kind', type: 'nominal', scale: { domain: ['trial', 'Pareto front'], range: ['#9d9d9d', '#f58518'] }, legend: { title: null } } as const;
    const frontRows = rows.filter((r) => r.kind === 'Pareto front').sort((a, b) => (a[`o${i}` as keyof typeof a] as number) - (b[`o${i}` as keyof typeof b] as number));
    const points = { data: { values: rows }, mark: { type: 'point', filled: true, size: 45, opacity: 0.85 }, encoding: { x, y, color, tooltip: { field: 'trial', type: 'quantitative' } } } as const;
    const line = { data: { values: frontRows }, mark: { type: 'line', interpolate: 'step-after', color: '#f58518', strokeWidth: 1.5, opacity: 0.7 }, encoding: { x, y } } as const;
    const size = directions.length === 2 ? { width: 520, height: 360 } : { width: 260, height: 220 };
    return directions.length === 2 ? { ...size, layer: [line, points] } : { ...size, layer: [points] };
  };
  const pairs: [number, number][] = [];
  for (let i = 0; i < directions.length; i++) for (let j = i + 1; j < directions.length; j++) pairs.push([i, j]);
  const title = options.title ?? `Pareto front (${front.size} of ${complete.length} complete trials)`;
  if (pairs.length === 1) return { $schema: VEGA_LITE_SCHEMA, title, background: 'white', config: STUDY_CHART_CONFIG, ...panel(0, 1) };
  return { $schema: VEGA_LITE_SCHEMA, title, background: 'white', config: STUDY_CHART_CONFIG, columns: Math.min(3, pairs.length), concat: pairs.map(([i, j]) => panel(i, j)) };
}

/**
 * Writes `pareto-front.svg` and `.png` into `dir` (atomically) and returns their paths.
 *
 * @example
 * ```ts
 * await writeParetoChart('runs/mo-study/charts', await study.trials(), study.directions, { objectiveNames: ['accuracy', 'parameters'] });
 * ```
 */
export async function writeParetoChart(dir: string, trials: readonly FrozenTrial[], directions: readonly Direction[], options: ParetoChartOptions & { png?: PngOptions } = {}): Promise<string[]> {
  const out = await writeVegaLite(join(dir, 'pareto-front'), paretoFrontSpec(trials, directions, options), options.png);
  return [out.svg, out.png];
}
