import { describe, expect, it } from 'vitest';
import { colorJitter, sampleJitter } from './color-jitter.js';
import type { Pixels } from './pixels.js';
import { augmentRandom } from './augment-random.js';

const rgb = (pixels: [number, number, number][]): Pixels => {
  const hw = pixels.length;
  const data = new Float32Array(3 * hw);
  pixels.forEach(([r, g, b], p) => ([data[p], data[hw + p], data[2 * hw + p]] = [r, g, b]));
  return { channels: 3, height: 1, width: hw, data };
};
const pixel = (img: Pixels, p: number) => [0, 1, 2].map((c) => img.data[c * img.width + p]!);
const none = { brightness: 1, contrast: 1, saturation: 1, hue: 0 };

describe('colour jitter', () => {
  const img = rgb([[0.2, 0.4, 0.6], [0.9, 0.1, 0.3], [0.5, 0.5, 0.5]]);

  it('with neutral factors is the identity', () => {
    expect(colorJitter(img, none).data).toEqual(img.data);
  });

  it('brightness scales and clamps', () => {
    const out = colorJitter(img, { ...none, brightness: 2 });
    expect(pixel(out, 0).map((v) => +v.toFixed(6))).toEqual([0.4, 0.8, 1]);
  });

  it('contrast 0 gives every pixel the mean gray level; saturation 0 gives each pixel its own gray', () => {
    const gray = (p: number[]) => 0.299 * p[0]! + 0.587 * p[1]! + 0.114 * p[2]!;
    const mean = [0, 1, 2].reduce((s, p) => s + gray(pixel(img, p)), 0) / 3;
    for (const v of colorJitter(img, { ...none, contrast: 0 }).data) expect(v).toBeCloseTo(mean, 6);
    const desaturated = colorJitter(img, { ...none, saturation: 0 });
    for (let p = 0; p < 3; p++) for (const v of pixel(desaturated, p)) expect(v).toBeCloseTo(gray(pixel(img, p)), 6);
  });

  it('a hue shift of one third of a turn maps red to green and green to blue; gray stays', () => {
    const out = colorJitter(rgb([[1, 0, 0], [0, 1, 0], [0.5, 0.5, 0.5]]), { ...none, hue: 1 / 3 });
    pixel(out, 0).forEach((v, c) => expect(v).toBeCloseTo([0, 1, 0][c]!, 6));
    pixel(out, 1).forEach((v, c) => expect(v).toBeCloseTo([0, 0, 1][c]!, 6));
    pixel(out, 2).forEach((v) => expect(v).toBeCloseTo(0.5, 6));
  });

  it('draws factors in [1 - s, 1 + s] and the hue in [-h, h]', () => {
    const rand = augmentRandom(3, 1, 2);
    for (let k = 0; k < 100; k++) {
      const f = sampleJitter(rand, { brightness: 0.4, saturation: 0.2, hue: 0.1 });
      expect(f.brightness).toBeGreaterThanOrEqual(0.6);
      expect(f.brightness).toBeLessThanOrEqual(1.4);
      expect(f.contrast).toBe(1);
      expect(Math.abs(f.saturation - 1)).toBeLessThanOrEqual(0.2);
      expect(Math.abs(f.hue)).toBeLessThanOrEqual(0.1);
    }
  });
});
