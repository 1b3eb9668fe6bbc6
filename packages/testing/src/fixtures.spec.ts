import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { ocrModels, randn } from './index.js';

describe('fixtures', () => {
  it('finds the real OCR models', () => {
    for (const f of [ocrModels.classifier, ocrModels.recognizer, ocrModels.detector]) expect(existsSync(f)).toBe(true);
  });
  it('draws reproducible normals', () => {
    const a = randn(1000, 7);
    expect(randn(1000, 7)).toEqual(a);
    const mean = a.reduce((s, x) => s + x, 0) / a.length;
    expect(Math.abs(mean)).toBeLessThan(0.1);
  });
});
