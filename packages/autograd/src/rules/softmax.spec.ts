import { describe, expect, it } from 'vitest';
import { gradCheckCase, values } from '../gradcheck-harness.js';
import { f32 } from '../test-support.js';

describe('Softmax and LogSoftmax gradients (finite differences, float64)', () => {
  for (const op of ['Softmax', 'LogSoftmax']) {
    for (const axis of [-1, 1, 0, undefined]) {
      it(`${op} over axis ${axis ?? 'default (-1)'} of a [2,3,4] input (double, maxRelError < 1e-6)`, async () => {
        const r = await gradCheckCase({
          inputs: { x: f32([2, 3, 4], values(24, 17, -2, 2)) },
          build: (b) => b.op(op, ['x'], axis === undefined ? {} : { axis }),
          samplesPerTensor: 10,
        });
        expect(r.precision).toBe('double');
        expect(r.maxRelError).toBeLessThan(1e-6);
      });
    }
  }
});
