import { describe, expect, it } from 'vitest';
import { formatCell } from './format-cell.js';

describe('formatCell', () => {
  it('gives numbers 5 significant digits, a missing value nothing and the rest as JSON', () => {
    expect([123456.789, 0.000123456789, 2, NaN, -Infinity].map(formatCell)).toEqual(['123460', '0.00012346', '2', 'NaN', '-Infinity']);
    expect([undefined, null, 'adam', true, [32, 16]].map(formatCell)).toEqual(['', 'null', '"adam"', 'true', '[32,16]']);
  });
});
