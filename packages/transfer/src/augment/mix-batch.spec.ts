import { describe, expect, it } from 'vitest';
import { augmentRandom, beta } from './augment-random.js';
import { checkMixOptions } from './augment-options.js';
import { mixBatch } from './mix-batch.js';

/** N constant images [N, 2, 4, 5]: example i is i + 1 everywhere. */
function batch(n: number): { images: Float32Array; dims: number[]; labels: BigInt64Array } {
  const per = 2 * 4 * 5;
  const images = new Float32Array(n * per);
  for (let i = 0; i < n; i++) images.fill(i + 1, i * per, (i + 1) * per);
  return { images, dims: [n, 2, 4, 5], labels: BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 3)) };
}

describe('mixup and cutmix', () => {
  it('mixup blends each image with its partner and mixes the labels with the same λ', () => {
    const { images, dims, labels } = batch(6);
    const m = mixBatch(images, dims, labels, { mixup: 0.4, classes: 3 }, augmentRandom(1, 0, 0, 1));
    expect(m.kind).toBe('mixup');
    expect(m.lambda).toBeGreaterThan(0);
    expect(m.lambda).toBeLessThan(1);
    for (let i = 0; i < 6; i++) {
      const j = m.partner[i]!;
      expect(m.x[i * 40 + 7]).toBeCloseTo(m.lambda * (i + 1) + (1 - m.lambda) * (j + 1), 5);
      const expected = [0, 0, 0];
      expected[i % 3]! += m.lambda;
      expected[j % 3]! += 1 - m.lambda;
      for (let c = 0; c < 3; c++) expect(m.targets[i * 3 + c]).toBeCloseTo(expected[c]!, 6);
    }
    expect([...m.partner].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('cutmix pastes one box from the partner and weighs the labels by the exact area kept', () => {
    const { images, dims, labels } = batch(4);
    for (let e = 0; e < 5; e++) {
      const m = mixBatch(images, dims, labels, { cutmix: 1, classes: 3 }, augmentRandom(2, e, 0, 1));
      expect(m.kind).toBe('cutmix');
      for (let i = 0; i < 4; i++) {
        const j = m.partner[i]!;
        const own = m.x.subarray(i * 40, i * 40 + 40);
        const pasted = j === i ? 40 * (1 - m.lambda) : own.filter((v) => v === j + 1).length;
        expect(pasted / 40).toBeCloseTo(1 - m.lambda, 6);
        const row = Array.from(m.targets.subarray(i * 3, i * 3 + 3));
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      }
    }
  });

  it('with both, switchProb 1 always cuts; mixProb 0 never mixes (hard one-hot targets)', () => {
    const { images, dims, labels } = batch(4);
    expect(mixBatch(images, dims, labels, { mixup: 1, cutmix: 1, switchProb: 1, classes: 3 }, augmentRandom(3, 0, 0, 1)).kind).toBe('cutmix');
    const none = mixBatch(images, dims, labels, { mixup: 1, mixProb: 0, classes: 3 }, augmentRandom(3, 0, 0, 1));
    expect(none.kind).toBe('none');
    expect(none.x).toEqual(images);
    expect(Array.from(none.targets)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0]);
  });

  it('draws λ from Beta(α, β): the sample mean is α / (α + β)', () => {
    const rand = augmentRandom(4, 0, 0);
    for (const [a, b] of [[0.2, 0.2], [1, 1], [2, 5]] as const) {
      let sum = 0;
      for (let k = 0; k < 20_000; k++) sum += beta(rand, a, b);
      expect(sum / 20_000).toBeCloseTo(a / (a + b), 2);
    }
  });

  it('checkMixOptions refuses what the schema refuses, naming the option and the fix', () => {
    expect(() => checkMixOptions({ mixup: 0.2, classes: 1 })).toThrow(/mix\.classes: 1 must be the number of classes/);
    expect(() => checkMixOptions({ classes: 3 })).toThrow(/set mixup and\/or cutmix/);
    expect(() => checkMixOptions({ mixup: 0, classes: 3 })).toThrow(/mix\.mixup: 0 must be a Beta α > 0/);
    expect(() => checkMixOptions({ cutmix: 1, mixProb: 1.5, classes: 3 })).toThrow(/mix\.mixProb: 1\.5 is not a probability in \[0, 1\]/);
    expect(() => checkMixOptions({ cutmix: 1, prob: 0.5, classes: 3 } as never)).toThrow(/unknown option; the options are classes, mixup, cutmix, mixProb, switchProb/);
    expect(() => checkMixOptions({ mixup: 0.2, cutmix: 1, switchProb: 0.3, mixProb: 0.8, classes: 3 })).not.toThrow();
  });
});
