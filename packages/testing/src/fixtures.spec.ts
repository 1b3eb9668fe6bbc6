import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mnistDigits, ocrModels, randn } from './index';

describe('fixtures', () => {
  it('finds the real OCR models and MNIST digits', () => {
    expect(existsSync(ocrModels.classifier)).toBe(true);
    const m = mnistDigits(3);
    expect(m.count).toBe(30);
    expect(m.images.length).toBe(30 * 784);
    expect(Math.max(...m.images)).toBeLessThanOrEqual(1);
  });
  it('draws reproducible normals', () => {
    const a = randn(1000, 7);
    expect(randn(1000, 7)).toEqual(a);
    const mean = a.reduce((s, x) => s + x, 0) / a.length;
    expect(Math.abs(mean)).toBeLessThan(0.1);
  });
});
