import { importanceSpec, optimizationHistorySpec, parallelCoordinatesSpec, parameterImportance, paretoFrontSpec, type Direction, type FrozenTrial } from '@anneal/search';
import { tryChart, type DashboardChart } from './dashboard-chart.js';
import { trialCurvesSpec } from './trial-curves-chart.js';

/**
 * The charts of a study view, from @anneal/search's own spec builders (the ones `anneal tune`
 * writes as SVG/PNG): optimization history (value per trial, best so far, pruned and failed
 * trials marked), parallel coordinates of the parameters against the value, parameter importance
 * (fANOVA, as the tune summary computes it, seed 0), and the per-trial curves of intermediate
 * values with pruned trials marked. A chart the builder refuses (e.g. no complete trial yet)
 * carries the builder's message instead of a spec.
 */
export function studyCharts(trials: readonly FrozenTrial[], direction: Direction, metric?: string): DashboardChart[] {
  return [
    tryChart('history', 'Optimization history', () => optimizationHistorySpec(trials, direction)),
    tryChart('parallel', 'Parallel coordinates', () => {
      const spec = parallelCoordinatesSpec(trials, direction);
      // tick labels sit right of each axis: pad the right edge so the last axis' labels are not clipped
      return { ...spec, padding: { left: 10, top: 10, bottom: 10, right: 90 } };
    }),
    tryChart('importance', 'Parameter importance', () => importanceSpec(parameterImportance(trials, { seed: 0 }))),
    tryChart('curves', 'Intermediate values per trial', () => trialCurvesSpec(trials, direction, metric)),
  ];
}

/**
 * The chart of a multi-objective study: @anneal/search's Pareto chart (the one `anneal tune`
 * writes), every complete trial in objective space with the front highlighted; with two
 * objectives the front is joined in the order of the first, with more there is one panel per pair
 * of objectives (the caption says so). Its title carries no counts, so a new trial streams into
 * the drawn chart instead of redrawing it.
 */
export function paretoCharts(trials: readonly FrozenTrial[], directions: readonly Direction[], names: readonly string[]): DashboardChart[] {
  const pairs = (directions.length * (directions.length - 1)) / 2;
  const caption =
    directions.length === 2
      ? 'Every complete trial (grey) and the Pareto front (orange), joined in the order of the first objective.'
      : `One panel per pair of the ${directions.length} objectives (${pairs} panels); in each, the trials on the front of all ${directions.length} objectives are orange, so a front point may look dominated in a single pair.`;
  return [tryChart('pareto', 'Pareto front', () => ({ ...paretoFrontSpec(trials, directions, { objectiveNames: names }), title: 'Pareto front' }), caption)];
}
