import { vegaLiteSvg } from '@anneal/report';
import { describe, expect, it } from 'vitest';
import type { FrozenTrial } from '../types.js';
import { paretoFrontSpec } from './pareto-chart.js';
import { StudyResultsError } from './results-error.js';

const t = (number: number, values: number[]): FrozenTrial => ({ id: `t${number}`, number, state: 'complete', params: {}, distributions: {}, intermediate: {}, userAttrs: {}, systemAttrs: {}, values });

describe('paretoFrontSpec', () => {
  it('highlights the front among all trials (2 objectives: one panel with a step line)', async () => {
    const trials = [t(0, [0.9, 5]), t(1, [0.8, 3]), t(2, [0.7, 4]), t(3, [0.95, 9])];
    const spec = paretoFrontSpec(trials, ['maximize', 'minimize'], { objectiveNames: ['accuracy', 'size'] });
    const layer = (spec as { layer: { data: { values: { kind: string; trial: number }[] } }[] }).layer;
    expect(layer[1]!.data.values.filter((r) => r.kind === 'Pareto front').map((r) => r.trial)).toEqual([0, 1, 3]);
    const svg = await vegaLiteSvg(spec, 'pareto');
    for (const text of ['accuracy (maximize)', 'size (minimize)', 'Pareto front (3 of 4 complete trials)']) expect(svg).toContain(`>${text}</text>`);
  });

  it('draws one panel per pair of objectives for three objectives and refuses single-objective trials', () => {
    const spec = paretoFrontSpec([t(0, [1, 2, 3]), t(1, [2, 1, 3])], ['minimize', 'minimize', 'minimize']) as { concat: unknown[] };
    expect(spec.concat).toHaveLength(3);
    expect(() => paretoFrontSpec([t(0, [1])], ['minimize'])).toThrow(StudyResultsError);
    expect(() => paretoFrontSpec([{ ...t(0, [1, 2]), state: 'fail' }], ['minimize', 'minimize'])).toThrow(/no complete trial/);
  });
});
