import { describe, expect, it } from 'vitest';
import { clampSeries } from './clamp-series.js';

describe('clampSeries', () => {
  it('clamps values above the cap and inserts the crossings, linear in x', () => {
    const points = [{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 5 }, { x: 3, y: 1 }];
    expect(clampSeries(points, 2)).toEqual([
      { x: 0, y: 1 }, { x: 0.5, y: 2 }, { x: 1, y: 2 }, { x: 2, y: 2 }, { x: 2.75, y: 2 }, { x: 3, y: 1 },
    ]);
  });

  it('interpolates in the scaled x (a log axis) and keeps the other fields', () => {
    const out = clampSeries([{ x: 1e-3, y: 0, tag: 'a' }, { x: 1e-1, y: 4, tag: 'b' }], 2, Math.log10, (u) => 10 ** u);
    expect(out).toHaveLength(3);
    expect(out[1].x).toBeCloseTo(1e-2, 12);
    expect(out[1]).toMatchObject({ y: 2, tag: 'b' });
    expect(out[2]).toEqual({ x: 1e-1, y: 2, tag: 'b' });
  });

  it('leaves a series under the cap as it is', () => {
    const points = [{ x: 1, y: 1 }, { x: 2, y: 2 }];
    expect(clampSeries(points, 2)).toEqual(points);
  });
});
