import type { Pixels } from './pixels.js';

/**
 * The mirror image left to right: out[c, y, x] = img[c, y, W - 1 - x].
 * @example const mirrored = horizontalFlip(img);
 */
export function horizontalFlip(img: Pixels): Pixels {
  const { channels, height, width, data } = img;
  const out = new Float32Array(data.length);
  for (let row = 0; row < channels * height; row++) {
    const base = row * width;
    for (let x = 0; x < width; x++) out[base + x] = data[base + width - 1 - x]!;
  }
  return { channels, height, width, data: out };
}
