import { describe, expect, it } from 'vitest';
import type { FrozenTrial } from '../types.js';
import { crowdingDistances, dominates, nonDominatedRanks, paretoFront } from './dominance.js';

const trial = (number: number, values: number[], state: FrozenTrial['state'] = 'complete'): FrozenTrial => ({
  id: `t${number}`, number, state, params: {}, distributions: {}, intermediate: {}, userAttrs: {}, systemAttrs: {}, values,
});

describe('Pareto dominance', () => {
  it('dominates respects each direction and needs one strict improvement', () => {
    expect(dominates([0.9, 10], [0.8, 12], ['maximize', 'minimize'])).toBe(true);
    expect(dominates([0.9, 10], [0.9, 10], ['maximize', 'minimize'])).toBe(false);
    expect(dominates([0.9, 13], [0.8, 12], ['maximize', 'minimize'])).toBe(false);
    expect(dominates([1, 1], [1, NaN], ['minimize', 'minimize'])).toBe(true);
  });

  it('sorts a hand-checked set into fronts', () => {
    // front 0: (1,5) (2,3) (4,1); front 1: (3,4) (5,2); front 2: (5,5); (2,3) duplicate stays in front 0
    const points = [[3, 4], [1, 5], [5, 5], [2, 3], [4, 1], [5, 2], [2, 3]];
    expect(nonDominatedRanks(points)).toEqual([1, 0, 2, 0, 0, 1, 0]);
    expect(nonDominatedRanks([])).toEqual([]);
    // three objectives: (1,1,1) dominates everything else
    expect(nonDominatedRanks([[2, 2, 2], [1, 1, 1], [0, 3, 3], [3, 0, 3]])).toEqual([1, 0, 0, 0]);
  });

  it('gives crowding distances: extremes infinite, interior points the normalized neighbour gaps', () => {
    const d = crowdingDistances([[0, 4], [1, 2], [2, 1], [4, 0]]);
    expect(d[0]).toBe(Infinity);
    expect(d[3]).toBe(Infinity);
    expect(d[1]).toBeCloseTo(2 / 4 + 3 / 4, 12);
    expect(d[2]).toBeCloseTo(3 / 4 + 2 / 4, 12);
  });

  it('paretoFront keeps complete trials nobody dominates, in number order', () => {
    const trials = [trial(0, [0.8, 3]), trial(1, [0.9, 5]), trial(2, [0.7, 4]), trial(3, [0.95, 9], 'pruned'), trial(4, [0.9, 4])];
    expect(paretoFront(trials, ['maximize', 'minimize']).map((t) => t.number)).toEqual([0, 4]);
  });
});
