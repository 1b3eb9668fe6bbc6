import { CHART_FONT, type VegaLiteSpec } from '@anneal/report';
import type { Direction, FrozenTrial, TrialState } from '@anneal/search';

const STATES: TrialState[] = ['complete', 'pruned', 'running', 'fail', 'waiting'];
const COLORS = ['#4c78a8', '#9d9d9d', '#54a24b', '#e45756', '#b279a2'];

/**
 * The Vega-Lite spec of the per-trial learning curves of a study: each trial's intermediate
 * values (what it reported to the pruner, by step) as a line coloured by the trial's state;
 * pruned trials are grey and dashed, with a cross where they were stopped; running trials are
 * green, so a live study shows who is still going. Hovering a line names the trial.
 *
 * @example
 * ```ts
 * const spec = trialCurvesSpec(await storage.getTrials('mnist'), 'maximize', 'val.accuracy');
 * ```
 */
export function trialCurvesSpec(trials: readonly FrozenTrial[], direction: Direction, metric = 'intermediate value'): VegaLiteSpec {
  const rows = trials.flatMap((t) =>
    Object.entries(t.intermediate)
      .map(([step, value]) => ({ trial: t.number, step: Number(step), value, state: t.state }))
      .filter((r) => Number.isFinite(r.value) && Number.isFinite(r.step))
      .sort((a, b) => a.step - b.step),
  );
  const stops = trials.flatMap((t) => {
    if (t.state !== 'pruned') return [];
    const last = rows.filter((r) => r.trial === t.number).at(-1);
    return last ? [{ ...last, mark: 'pruned here' }] : [];
  });
  const x = { field: 'step', type: 'quantitative', title: 'step (as reported: epoch)', axis: { tickMinStep: 1, format: 'd' }, scale: { zero: false } } as const;
  const y = { field: 'value', type: 'quantitative', title: `${metric} (${direction})`, scale: { zero: false } } as const;
  const color = { field: 'state', type: 'nominal', title: 'trial state', scale: { domain: STATES, range: COLORS } } as const;
  const tooltip = [
    { field: 'trial', type: 'quantitative', title: 'trial' },
    { field: 'step', type: 'quantitative', title: 'step' },
    { field: 'value', type: 'quantitative', title: metric, format: '.4~g' },
    { field: 'state', type: 'nominal', title: 'state' },
  ] as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Intermediate values per trial', subtitle: 'pruned trials grey and dashed, a cross where the pruner stopped them' },
    width: 640,
    height: 320,
    background: 'white',
    config: { font: CHART_FONT, view: { stroke: '#ddd' } },
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 1.6, opacity: 0.8, point: { filled: true, size: 18 } },
        encoding: {
          x,
          y,
          color,
          detail: { field: 'trial', type: 'nominal' },
          strokeDash: { condition: { test: "datum.state === 'pruned'", value: [5, 3] }, value: [1, 0] },
          tooltip: [...tooltip],
        },
      },
      {
        data: { values: stops },
        mark: { type: 'point', shape: 'cross', size: 120, filled: true, color: '#555', strokeWidth: 1 },
        encoding: { x, y, tooltip: [...tooltip] },
      },
    ],
  };
}
