import { describe, expect, it } from 'vitest';
import { defaultReferencePoint } from './reference-point.js';

describe('defaultReferencePoint', () => {
  it("pushes each objective's worst value 10% of its range further (of |worst| when every trial is equal)", () => {
    // size (min) worst 1, range 1 -> 1.1; quality (max) worst -1, range 2 -> -1.2
    expect(defaultReferencePoint([[0, 1], [1, -1]], ['minimize', 'maximize']).map((v) => Number(v.toFixed(12)))).toEqual([1.1, -1.2]);
    expect(defaultReferencePoint([[3, 5], [3, 5]], ['minimize', 'maximize'])).toEqual([3.3, 4.5]);
    expect(defaultReferencePoint([[0], [0]], ['minimize'])).toEqual([0.1]);
  });
});
