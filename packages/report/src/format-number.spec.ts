import { describe, expect, it } from 'vitest';
import { decadeTicks, distinctSciLabels, formatSci, formatValue } from './format-number.js';

describe('formatSci', () => {
  it('writes learning rates the way configs do', () => {
    expect([3e-3, 2.5e-4, 1e-2, 0.1, 1, 5, 300, 0, -1e-3].map((v) => formatSci(v))).toEqual([
      '3e-3', '2.5e-4', '1e-2', '1e-1', '1', '5', '3e2', '0', '-1e-3',
    ]);
    expect(formatSci(1.23456e-5)).toBe('1.23e-5');
    expect(formatSci(1.23456e-5, 5)).toBe('1.2346e-5');
    expect(formatSci(NaN)).toBe('NaN');
  });
});

describe('formatValue', () => {
  it('keeps integers, gives 4 significant digits otherwise and switches to scientific outside [1e-3, 1e15)', () => {
    expect([42, 0.91234, 12.3456, 0.5, 1234.5, 123456.7, 1.23e-5, 2e20, Infinity].map(formatValue)).toEqual([
      '42', '0.9123', '12.35', '0.5', '1235', '123457', '1.23e-5', '2e20', 'Infinity',
    ]);
  });
});

describe('distinctSciLabels', () => {
  it('adds digits until no two values share a label', () => {
    const labels = distinctSciLabels([1e-3, 1.001e-3, 3e-3]);
    expect([...labels.values()]).toEqual(['1e-3', '1.001e-3', '3e-3']);
    expect([...distinctSciLabels([0, 1e-4, 1e-4]).values()]).toEqual(['0', '1e-4']);
  });
});

describe('decadeTicks', () => {
  it('covers the range with powers of ten', () => {
    expect(decadeTicks(3e-5, 0.2)).toEqual([1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1]);
    expect(decadeTicks(1e-3, 1e-3)).toEqual([1e-3]);
  });
});
