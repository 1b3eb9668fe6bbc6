import { describe, expect, it } from 'vitest';
import { emaSmooth, firstIndexAtOrBelow, interpolate, leastSquaresSlope, median, movingMedian, relativeChange } from './smooth.js';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('emaSmooth', () => {
  it('is bias-corrected: a constant series stays constant from the first value on', () => {
    expect(emaSmooth([2, 2, 2, 2], 0.9).map((v) => +v.toFixed(12))).toEqual([2, 2, 2, 2]);
  });

  it('matches the closed form m_t / (1 - beta^(t+1))', () => {
    const beta = 0.5;
    const xs = [4, 0, 2];
    const m0 = 0.5 * 4;
    const m1 = beta * m0 + 0.5 * 0;
    const m2 = beta * m1 + 0.5 * 2;
    const out = emaSmooth(xs, beta);
    expect(out[0]).toBeCloseTo(m0 / 0.5, 12);
    expect(out[1]).toBeCloseTo(m1 / 0.75, 12);
    expect(out[2]).toBeCloseTo(m2 / 0.875, 12);
  });

  it('with beta 0 returns the values', () => {
    expect(emaSmooth([1, 5, 3], 0)).toEqual([1, 5, 3]);
  });

  it('rejects a beta outside [0, 1)', () => {
    expect(() => emaSmooth([1], 1)).toThrow(/beta must be in \[0, 1\)/);
  });
});

describe('movingMedian', () => {
  it('removes isolated spikes', () => {
    expect(movingMedian([1, 1, 9, 1, 1], 3)).toEqual([1, 1, 1, 1, 1]);
  });

  it('returns a monotone series unchanged (symmetric shrinking at the ends: no lag)', () => {
    const xs = [10, 8, 5, 4, 2, 1, 0.5];
    expect(movingMedian(xs, 5)).toEqual(xs);
  });

  it('treats an even window as the next odd one', () => {
    expect(movingMedian([3, 1, 2, 9, 4], 4)).toEqual(movingMedian([3, 1, 2, 9, 4], 5));
    expect(movingMedian([3, 1, 2, 9, 4], 5)).toEqual([3, 2, 3, 4, 4]);
  });
});

describe('leastSquaresSlope', () => {
  it('recovers the slope of a line exactly', () => {
    expect(leastSquaresSlope([0, 1, 2, 3], [1, -1, -3, -5])).toBeCloseTo(-2, 12);
  });

  it('fits noisy points: slope = cov(x, y) / var(x)', () => {
    // x = 0..3, y = 0, 2, 1, 3: sum dx*dy = 2.25 - 0.25 - 0.25 + 2.25 = 4, sum dx^2 = 5 -> 0.8
    expect(leastSquaresSlope([0, 1, 2, 3], [0, 2, 1, 3])).toBeCloseTo(0.8, 12);
  });

  it('is NaN with fewer than two points or constant xs', () => {
    expect(leastSquaresSlope([1], [1])).toBeNaN();
    expect(leastSquaresSlope([2, 2], [1, 3])).toBeNaN();
  });
});

describe('relativeChange', () => {
  it('divides the change by the magnitude of the start', () => {
    expect(relativeChange(2, 1.5)).toBe(-0.25);
    expect(relativeChange(-2, -1)).toBe(0.5);
    expect(relativeChange(0, 1)).toBeNaN();
  });
});

describe('interpolate', () => {
  it('interpolates linearly between points and clamps outside', () => {
    const xs = [0, 10, 20];
    const ys = [1, 3, 0];
    expect(interpolate(xs, ys, 5)).toBe(2);
    expect(interpolate(xs, ys, 15)).toBe(1.5);
    expect(interpolate(xs, ys, 10)).toBe(3);
    expect(interpolate(xs, ys, -5)).toBe(1);
    expect(interpolate(xs, ys, 99)).toBe(0);
    expect(interpolate([], [], 1)).toBeNaN();
  });
});

describe('firstIndexAtOrBelow', () => {
  it('finds the first crossing from a start index', () => {
    expect(firstIndexAtOrBelow([5, 3, 2, 4, 1], 3)).toBe(1);
    expect(firstIndexAtOrBelow([5, 3, 2, 4, 1], 1.5)).toBe(4);
    expect(firstIndexAtOrBelow([5, 3, 2, 4, 1], 3, 3)).toBe(4);
    expect(firstIndexAtOrBelow([5, 4], 1)).toBe(-1);
  });
});
