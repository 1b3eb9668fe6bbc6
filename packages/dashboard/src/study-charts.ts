import { importanceSpec, optimizationHistorySpec, parallelCoordinatesSpec, parameterImportance, type Direction, type FrozenTrial } from '@anneal/search';
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
