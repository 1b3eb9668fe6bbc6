import { seededRandom } from '@anneal/data';
import { describe, expect, it } from 'vitest';
import { hypervolume, hypervolumeContributions } from './hypervolume.js';

/** Monte-Carlo-free check for small sets: the exact volume by inclusion-exclusion over subsets. */
function inclusionExclusion(points: number[][], ref: number[]): number {
  let total = 0;
  for (let mask = 1; mask < 1 << points.length; mask++) {
    const chosen = points.filter((_, i) => mask & (1 << i));
    const corner = ref.map((_, k) => Math.max(...chosen.map((p) => p[k]!)));
    const box = corner.reduce((acc, c, k) => acc * Math.max(0, ref[k]! - c), 1);
    total += (chosen.length % 2 ? 1 : -1) * box;
  }
  return total;
}

describe('hypervolume', () => {
  it('matches closed forms in 2 and 3 objectives', () => {
    expect(hypervolume([[1, 3], [2, 2], [3, 1]], [4, 4])).toBe(6);
    expect(hypervolume([[1, 1]], [3, 2])).toBe(2);
    expect(hypervolume([[0, 0, 0]], [1, 2, 3])).toBe(6);
    // the unit-cube corners (1,0,0),(0,1,0),(0,0,1) against (1,1,1) dominate nothing strictly inside; against (2,2,2): 8 - 1 = 7
    expect(hypervolume([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [2, 2, 2])).toBe(7);
    // a dominated point and a point outside the reference add nothing
    expect(hypervolume([[1, 3], [2, 2], [3, 1], [3, 3], [5, 0]], [4, 4])).toBe(6);
    expect(hypervolume([], [1, 1])).toBe(0);
  });

  it('agrees with inclusion-exclusion on random sets of 2 to 4 objectives', () => {
    const rand = seededRandom(5);
    for (const m of [2, 3, 4]) {
      for (let rep = 0; rep < 5; rep++) {
        const points = Array.from({ length: 7 }, () => Array.from({ length: m }, () => rand()));
        const ref = Array.from({ length: m }, () => 1.1);
        expect(hypervolume(points, ref)).toBeCloseTo(inclusionExclusion(points, ref), 10);
      }
    }
  });

  it('gives each point its exclusive contribution', () => {
    expect(hypervolumeContributions([[1, 3], [2, 2], [3, 1]], [4, 4])).toEqual([1, 1, 1]);
    expect(hypervolumeContributions([[1, 1], [2, 2]], [3, 3])).toEqual([3, 0]);
  });

  it('names a point with the wrong number of objectives', () => {
    expect(() => hypervolume([[1, 2, 3]], [4, 4])).toThrow(/3 objectives but the reference point 2/);
  });
});
