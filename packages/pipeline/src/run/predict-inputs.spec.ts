import { describe, expect, it } from 'vitest';
import { floatToHalf, halfToFloat } from './predict-inputs.js';

describe('float16 conversion of predict inputs', () => {
  it('known bit patterns both ways: 1, -2, the largest half, the smallest subnormal, zero, infinity', () => {
    const cases: [number, number][] = [[1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [2 ** -24, 0x0001], [0, 0x0000], [Infinity, 0x7c00], [0.5, 0x3800]];
    for (const [value, bits] of cases) {
      expect(floatToHalf(value), String(value)).toBe(bits);
      expect(halfToFloat(bits), bits.toString(16)).toBe(value);
    }
    expect(Number.isNaN(halfToFloat(floatToHalf(NaN)))).toBe(true);
    expect(floatToHalf(1e6)).toBe(0x7c00); // overflow saturates to infinity
  });

  it('rounds to the nearest half (ties to even) and every half survives a round trip', () => {
    expect(halfToFloat(floatToHalf(1 + 2 ** -11))).toBe(1); // a tie: to even (1)
    expect(halfToFloat(floatToHalf(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9); // a tie: to even (the upper)
    expect(halfToFloat(floatToHalf(0.1))).toBeCloseTo(0.1, 4);
    for (let h = 0; h < 0x7c00; h++) expect(floatToHalf(halfToFloat(h))).toBe(h);
  });
});
