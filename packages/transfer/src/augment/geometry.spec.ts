import { describe, expect, it } from 'vitest';
import { horizontalFlip } from './flip.js';
import type { Pixels } from './pixels.js';
import { resizedCrop, sampleCropBox } from './random-resized-crop.js';
import { rotate } from './rotate.js';
import { augmentRandom } from './augment-random.js';

/** A 1-channel image whose pixel (row i, column j) holds f(j, i). */
function image(h: number, w: number, f: (x: number, y: number) => number, channels = 1): Pixels {
  const data = new Float32Array(channels * h * w);
  for (let c = 0; c < channels; c++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) data[(c * h + i) * w + j] = f(j, i) + c;
  return { channels, height: h, width: w, data };
}
const at = (img: Pixels, i: number, j: number, c = 0) => img.data[(c * img.height + i) * img.width + j]!;

describe('horizontal flip', () => {
  it('mirrors every row of every channel: out[c, y, x] = in[c, y, W - 1 - x]', () => {
    const img = image(3, 4, (x, y) => 10 * y + x, 2);
    const out = horizontalFlip(img);
    for (let c = 0; c < 2; c++) for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) expect(at(out, i, j, c)).toBe(at(img, i, 3 - j, c));
    expect(horizontalFlip(out).data).toEqual(img.data);
  });
});

describe('resized crop', () => {
  it('is the identity for the whole image at its own size', () => {
    const img = image(5, 7, (x, y) => Math.sin(x * 3 + y));
    expect(resizedCrop(img, { top: 0, left: 0, height: 5, width: 7 }, [5, 7]).data).toEqual(img.data);
  });

  it('samples a linear image exactly at the window positions (bilinear reproduces linear functions)', () => {
    const f = (x: number, y: number) => 0.25 + 0.01 * x - 0.02 * y;
    const img = image(16, 16, f);
    const box = { top: 2, left: 3, height: 8, width: 6 };
    const out = resizedCrop(img, box, [4, 3]);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 3; j++) {
        const x = box.left + (j + 0.5) * (box.width / 3) - 0.5;
        const y = box.top + (i + 0.5) * (box.height / 4) - 0.5;
        expect(at(out, i, j)).toBeCloseTo(f(x, y), 6);
      }
    }
  });

  it('draws windows inside the image with area and aspect in range, and falls back to the central crop', () => {
    const rand = augmentRandom(1, 0, 0);
    for (let k = 0; k < 200; k++) {
      const b = sampleCropBox(rand, 60, 80, { scale: [0.2, 0.9], ratio: [0.5, 2] });
      expect(b.top).toBeGreaterThanOrEqual(0);
      expect(b.left).toBeGreaterThanOrEqual(0);
      expect(b.top + b.height).toBeLessThanOrEqual(60);
      expect(b.left + b.width).toBeLessThanOrEqual(80);
      const area = (b.height * b.width) / 4800;
      expect(area).toBeGreaterThan(0.18);
      expect(area).toBeLessThan(0.93);
    }
    // a square crop of the whole area never fits a 10x20 image: the central square of side 10
    expect(sampleCropBox(rand, 10, 20, { scale: [1, 1], ratio: [1, 1] })).toEqual({ top: 0, left: 5, height: 10, width: 10 });
  });
});

describe('rotation', () => {
  it('by 90 degrees counter-clockwise moves pixel (i, j) to the exact place: out[i][j] = in[j][W - 1 - i]', () => {
    const img = image(5, 5, (x, y) => 10 * y + x);
    const out = rotate(img, 90);
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(at(out, i, j)).toBeCloseTo(at(img, j, 4 - i), 5);
  });

  it('by 0 degrees is the identity', () => {
    const img = image(4, 6, (x, y) => x * y);
    expect(Array.from(rotate(img, 0).data)).toEqual(Array.from(img.data));
  });

  it('of a linear image is the rotated linear function where the source is inside, and the fill elsewhere', () => {
    const img = image(21, 21, (x) => x / 20);
    const t = (12 * Math.PI) / 180;
    const out = rotate(img, 12, 0.5);
    let inside = 0;
    for (let i = 0; i < 21; i++) {
      for (let j = 0; j < 21; j++) {
        const sx = 10 + Math.cos(t) * (j - 10) - Math.sin(t) * (i - 10);
        const sy = 10 + Math.sin(t) * (j - 10) + Math.cos(t) * (i - 10);
        if (sx >= 0 && sx <= 20 && sy >= 0 && sy <= 20) {
          expect(at(out, i, j)).toBeCloseTo(sx / 20, 5);
          inside++;
        } else if (sx < -0.5 || sx > 20.5 || sy < -0.5 || sy > 20.5) expect(at(out, i, j)).toBe(0.5);
      }
    }
    expect(inside).toBeGreaterThan(300);
  });
});
