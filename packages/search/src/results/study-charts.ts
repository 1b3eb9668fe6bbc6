import { join } from 'node:path';
import { writeVegaLite, type PngOptions, type VegaLiteSpec } from '@anneal/report';
import type { Direction, FrozenTrial } from '../types.js';
import { parameterImportance, type ImportanceOptions, type ParamImportance } from './importance.js';
import { parallelCoordinatesSpec } from './parallel-coordinates.js';
import { writeParetoChart } from './pareto-chart.js';
import { choiceLabel, decades, paramAxes, requireCompleteTrials, STUDY_CHART_CONFIG, VEGA_LITE_SCHEMA } from './param-axes.js';
import { completeTrials, StudyResultsError } from './results-error.js';

const KINDS = ['complete', 'pruned', 'failed', 'best so far'] as const;
const KIND_COLORS = ['#4c78a8', '#9d9d9d', '#e45756', '#f58518'];

/**
 * The Vega-Lite spec of the optimization history: each complete trial's value as a point by
 * trial number, pruned trials (with the last value they reported) as grey crosses, failed trials
 * (and pruned ones without a value) as red dashed vertical rules, and the best value so far as an
 * orange step line. The value axis is logarithmic when every value is positive and they span
 * more than three decades. Throws StudyResultsError without a complete trial.
 *
 * @example
 * ```ts
 * const svg = await vegaLiteSvg(optimizationHistorySpec(trials, 'minimize'), 'history');
 * ```
 */
export function optimizationHistorySpec(trials: readonly FrozenTrial[], direction: Direction): VegaLiteSpec {
  const complete = requireCompleteTrials(trials, 'optimization history chart');
  const sorted = [...trials].sort((a, b) => a.number - b.number);
  const finite = (t: FrozenTrial) => typeof t.value === 'number' && Number.isFinite(t.value);
  const points = sorted
    .filter((t) => finite(t) && (t.state === 'complete' || t.state === 'pruned'))
    .map((t) => ({ trial: t.number, value: t.value!, kind: t.state }));
  const rules = sorted.filter((t) => t.state === 'fail' || (t.state === 'pruned' && !finite(t))).map((t) => ({ trial: t.number, kind: t.state === 'fail' ? 'failed' : 'pruned' }));
  const best: { trial: number; value: number; kind: string }[] = [];
  for (const t of complete) {
    const prev = best.at(-1)?.value;
    const better = prev === undefined || (direction === 'minimize' ? t.value! < prev : t.value! > prev);
    best.push({ trial: t.number, value: better ? t.value! : prev!, kind: 'best so far' });
  }
  const last = sorted.at(-1)!.number;
  if (best.at(-1)!.trial < last) best.push({ ...best.at(-1)!, trial: last });
  const values = points.map((p) => p.value);
  const log = Math.min(...values) > 0 && Math.max(...values) / Math.min(...values) > 1e3;
  const x = { field: 'trial', type: 'quantitative', title: 'trial', scale: { zero: false, nice: false, padding: 8 }, axis: { tickMinStep: 1, format: 'd' } } as const;
  const y = { field: 'value', type: 'quantitative', title: 'objective value', scale: log ? ({ type: 'log' } as const) : ({ zero: false } as const) } as const;
  const color = { field: 'kind', type: 'nominal', scale: { domain: [...KINDS] as string[], range: KIND_COLORS }, legend: { title: null } } as const;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: `optimization history (${direction})`,
    width: 640,
    height: 360,
    background: 'white',
    config: STUDY_CHART_CONFIG,
    layer: [
      ...(rules.length ? [{ data: { values: rules }, mark: { type: 'rule', strokeDash: [4, 3] as number[], opacity: 0.6 }, encoding: { x, color } } as const] : []),
      { data: { values: best }, mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 }, encoding: { x, y, color } },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 40, opacity: 0.85 },
        encoding: { x, y, color, shape: { field: 'kind', type: 'nominal', scale: { domain: [...KINDS] as string[], range: ['circle', 'cross', 'stroke', 'stroke'] }, legend: null } },
      },
    ],
  };
}

/**
 * The Vega-Lite spec of slice plots: one panel per parameter (in the order they first appear,
 * three per row), the objective value of each complete trial against that parameter, coloured by
 * trial number so drift over the study shows. Log parameters get a log x axis, categorical ones
 * a band per choice; the value axis is shared. Throws StudyResultsError without a complete trial
 * or without parameters.
 *
 * @example
 * ```ts
 * await writeVegaLite('study/slice', sliceSpec(trials, 'minimize'));
 * ```
 */
export function sliceSpec(trials: readonly FrozenTrial[], direction: Direction): VegaLiteSpec {
  const chart = 'slice chart';
  const complete = requireCompleteTrials(trials, chart);
  const axes = paramAxes(complete, chart);
  if (axes.length === 0) throw new StudyResultsError(chart, 'the complete trials have no parameters; there is nothing to slice by');
  const lastTrial = Math.max(...complete.map((t) => t.number));
  const color = { field: 'trial', type: 'quantitative', scale: { scheme: 'blues', domain: [0, Math.max(1, lastTrial)] as number[] }, legend: { title: 'trial' } } as const;
  const y = { field: 'value', type: 'quantitative', title: `objective (${direction})`, scale: { zero: false } } as const;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: 'slice plot',
    background: 'white',
    config: STUDY_CHART_CONFIG,
    columns: Math.min(3, axes.length),
    concat: axes.map((axis) => {
      const rows = complete.filter((t) => axis.param in t.params).map((t) => ({ trial: t.number, value: t.value!, x: axis.kind === 'categorical' ? choiceLabel(t.params[axis.param]!) : (t.params[axis.param] as number) }));
      const x =
        axis.kind === 'categorical'
          ? ({ field: 'x', type: 'nominal', title: axis.param, scale: { domain: axis.choices.map(choiceLabel) }, axis: { labelAngle: 0 } } as const)
          : ({
              field: 'x',
              type: 'quantitative',
              title: axis.log ? `${axis.param} (log)` : axis.param,
              scale: axis.log ? ({ type: 'log', domain: [axis.low, axis.high] as number[] } as const) : ({ zero: false, domain: [axis.low, axis.high] as number[] } as const),
              axis: axis.log ? { values: decades(axis.low, axis.high), format: '~g' } : axis.integer ? { tickMinStep: 1, format: 'd' } : {},
            } as const);
      return {
        title: axis.param,
        width: 220,
        height: 180,
        data: { values: rows },
        mark: { type: 'point', filled: true, size: 36, opacity: 0.85, stroke: '#555', strokeWidth: 0.5 },
        encoding: { x, y, color },
      };
    }),
    resolve: { scale: { x: 'independent', y: 'shared' } },
  };
}

/**
 * The Vega-Lite spec of a horizontal bar chart of parameter importances (as parameterImportance
 * returns them), most important on top, each bar labelled with its percentage. Throws
 * StudyResultsError on an empty list or an importance that is not a finite number >= 0.
 *
 * @example
 * ```ts
 * await writeVegaLite('study/importance', importanceSpec(parameterImportance(trials)));
 * ```
 */
export function importanceSpec(importances: readonly ParamImportance[]): VegaLiteSpec {
  const chart = 'importance chart';
  if (importances.length === 0) throw new StudyResultsError(chart, 'no parameter importances to draw; pass what parameterImportance(trials) returns');
  for (const p of importances) {
    if (!(Number.isFinite(p.importance) && p.importance >= 0)) throw new StudyResultsError(chart, `importance of '${p.param}' must be a finite number >= 0, got ${p.importance}`);
  }
  const rows = [...importances].sort((a, b) => b.importance - a.importance).map((p) => ({ param: p.param, importance: p.importance, label: `${(100 * p.importance).toFixed(1)}%` }));
  const y = { field: 'param', type: 'nominal', title: 'parameter', sort: rows.map((r) => r.param) as string[] } as const;
  const x = { field: 'importance', type: 'quantitative', title: 'importance (share of variance explained)', scale: { domain: [0, Math.max(1e-9, ...rows.map((r) => r.importance)) * 1.15] as number[] }, axis: { format: '.0%' } } as const;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: 'parameter importance',
    width: 480,
    height: Math.max(60, 28 * rows.length),
    background: 'white',
    config: STUDY_CHART_CONFIG,
    data: { values: rows },
    layer: [
      { mark: { type: 'bar', color: '#4c78a8' }, encoding: { x, y } },
      { mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 }, encoding: { x, y, text: { field: 'label', type: 'nominal' } } },
    ],
  };
}

/** Options of writeStudyCharts. */
export interface StudyChartsOptions {
  /** Passed to parameterImportance (seed, trees). */
  importance?: ImportanceOptions;
  /** PNG density and background. */
  png?: PngOptions;
}

/**
 * Writes the study's charts into `dir` as SVG + PNG pairs (each file atomic):
 * `optimization-history`, then `parallel-coordinates` and `slice` when the complete trials have
 * parameters, and `importance` when there are also at least 2 complete trials (the minimum for
 * parameterImportance). Returns the paths written, SVG before PNG, in that order. Throws
 * StudyResultsError before writing anything when no trial is complete. A multi-objective study
 * (several directions) gets `pareto-front` instead (see paretoFrontSpec).
 *
 * @example
 * ```ts
 * const paths = await writeStudyCharts('runs/study-1/charts', await storage.getTrials('study-1'), 'minimize');
 * ```
 */
export async function writeStudyCharts(dir: string, trials: readonly FrozenTrial[], directions: Direction | readonly Direction[], options: StudyChartsOptions = {}): Promise<string[]> {
  if (typeof directions !== 'string' && directions.length > 1) return writeParetoChart(dir, trials, directions, { png: options.png });
  const direction = typeof directions === 'string' ? directions : directions[0]!;
  const complete = requireCompleteTrials(trials, 'study charts');
  const specs: [string, VegaLiteSpec][] = [['optimization-history', optimizationHistorySpec(trials, direction)]];
  if (paramAxes(complete, 'study charts').length > 0) {
    specs.push(['parallel-coordinates', parallelCoordinatesSpec(trials, direction)], ['slice', sliceSpec(trials, direction)]);
    if (completeTrials(trials).length >= 2) specs.push(['importance', importanceSpec(parameterImportance(trials, options.importance))]);
  }
  const paths: string[] = [];
  for (const [name, spec] of specs) {
    const out = await writeVegaLite(join(dir, name), spec, options.png);
    paths.push(out.svg, out.png);
  }
  return paths;
}
