import type { VegaLiteSpec } from '@anneal/report';
import type { Direction, FrozenTrial } from '../types.js';
import { axisPosition, axisValue, choiceLabel, paramAxes, requireCompleteTrials, STUDY_CHART_CONFIG, tickLabel, VEGA_LITE_SCHEMA } from './param-axes.js';
import { StudyResultsError } from './results-error.js';

const CHART = 'parallel coordinates chart';
/** Name of the last axis. */
export const OBJECTIVE_AXIS = 'objective';

/**
 * The Vega-Lite spec of a parallel-coordinates chart: one vertical axis per parameter (in the
 * order they first appear) plus the objective, one polyline per complete trial coloured by its
 * value (the best trials darkest, drawn on top). Each axis spans its parameter's search range,
 * labelled at the ends and the middle; log parameters are placed on a log axis (the middle label
 * is the geometric mean), categorical ones spread their choices evenly. A conditional parameter
 * missing from a trial is skipped by that trial's line. Throws StudyResultsError without a
 * complete trial or without parameters.
 *
 * @example
 * ```ts
 * await writeVegaLite('study/parallel-coordinates', parallelCoordinatesSpec(trials, 'minimize'));
 * ```
 */
export function parallelCoordinatesSpec(trials: readonly FrozenTrial[], direction: Direction): VegaLiteSpec {
  const complete = requireCompleteTrials(trials, CHART);
  const axes = paramAxes(complete, CHART);
  if (axes.length === 0) throw new StudyResultsError(CHART, 'the complete trials have no parameters; there is nothing to draw an axis for');
  const names = [...axes.map((a) => a.param), OBJECTIVE_AXIS];
  if (new Set(names).size < names.length) throw new StudyResultsError(CHART, `a parameter is named '${OBJECTIVE_AXIS}', which is the name of the value axis; rename the parameter`);
  const values = complete.map((t) => t.value!);
  const vmin = Math.min(...values);
  const vmax = Math.max(...values);
  const objective = { kind: 'numeric', param: OBJECTIVE_AXIS, low: vmin, high: vmax, log: false, integer: false } as const;

  // Worst first so the best lines are drawn last, on top.
  const sign = direction === 'minimize' ? 1 : -1;
  const order = [...complete].sort((a, b) => sign * (b.value! - a.value!) || b.number - a.number);
  const points: { trial: number; axis: string; pos: number; value: number }[] = [];
  for (const t of order) {
    for (const axis of axes) {
      if (!(axis.param in t.params)) continue;
      const v = t.params[axis.param]!;
      const pos = axis.kind === 'numeric' ? axisPosition(axis, v as number) : spread(axis.choices.indexOf(v), axis.choices.length);
      points.push({ trial: t.number, axis: axis.param, pos, value: t.value! });
    }
    points.push({ trial: t.number, axis: OBJECTIVE_AXIS, pos: axisPosition(objective, t.value!), value: t.value! });
  }

  const labels: { axis: string; pos: number; label: string }[] = [];
  for (const axis of [...axes, objective]) {
    if (axis.kind === 'categorical') {
      axis.choices.forEach((c, i) => labels.push({ axis: axis.param, pos: spread(i, axis.choices.length), label: choiceLabel(c) }));
    } else if (axis.high > axis.low) {
      for (const p of [0, 0.5, 1]) {
        const v = axisValue(axis, p);
        const at = axis.integer ? Math.round(v) : v;
        labels.push({ axis: axis.param, pos: axisPosition(axis, at), label: tickLabel(at) + (p === 1 && axis.log ? ' (log)' : '') });
      }
    } else {
      labels.push({ axis: axis.param, pos: 0.5, label: tickLabel(axis.low) });
    }
  }

  const x = { field: 'axis', type: 'nominal', scale: { domain: names as string[], padding: 0.25 }, axis: { title: null, labelAngle: 0, labelFontWeight: 'bold', labelFontSize: 12, labelLimit: 0, domain: false, ticks: false, labelPadding: 8 } } as const;
  const y = { field: 'pos', type: 'quantitative', scale: { domain: [0, 1] as number[] }, axis: null } as const;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: 'parallel coordinates',
    // each axis as wide as its bold 12px name needs (about 7.5 px a character), so no name is cut
    width: Math.max(360, Math.max(150, ...names.map((n) => 7.5 * n.length + 24)) * names.length),
    height: 320,
    background: 'white',
    config: { ...STUDY_CHART_CONFIG, view: { stroke: null } },
    layer: [
      {
        data: { values: names.map((axis) => ({ axis, lo: 0, hi: 1 })) },
        mark: { type: 'rule', color: '#888' },
        encoding: { x, y: { field: 'lo', type: 'quantitative', scale: { domain: [0, 1] }, axis: null }, y2: { field: 'hi' } },
      },
      {
        data: { values: points },
        mark: { type: 'line', strokeWidth: 1.5, opacity: 0.75 },
        encoding: {
          x,
          y,
          detail: { field: 'trial', type: 'nominal' },
          color: {
            field: 'value',
            type: 'quantitative',
            scale: { scheme: 'viridis', reverse: direction === 'maximize' },
            legend: { title: `objective (${direction})` },
          },
        },
      },
      // Tick labels twice: a white outline under the text keeps them readable over the lines.
      {
        data: { values: labels },
        mark: { type: 'text', align: 'left', dx: 5, fontSize: 10, color: 'white', stroke: 'white', strokeWidth: 3, strokeJoin: 'round' },
        encoding: { x, y, text: { field: 'label', type: 'nominal' } },
      },
      {
        data: { values: labels },
        mark: { type: 'text', align: 'left', dx: 5, fontSize: 10, color: '#333' },
        encoding: { x, y, text: { field: 'label', type: 'nominal' } },
      },
    ],
  };
}

/** Position of choice i of n on [0, 1]: evenly spread, a single choice in the middle. */
function spread(i: number, n: number): number {
  return n > 1 ? i / (n - 1) : 0.5;
}
