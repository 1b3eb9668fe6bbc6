import type { Pixels } from './pixels.js';

/**
 * (v − mean[c]) / std[c] per channel (mean and std of length 1 or C), as a new [C, H, W] array.
 * @example normalizePixels(img, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);
 */
export function normalizePixels(img: Pixels, mean: readonly number[], std: readonly number[]): Float32Array {
  const hw = img.height * img.width;
  const out = new Float32Array(img.data.length);
  for (let c = 0; c < img.channels; c++) {
    const m = mean[mean.length === 1 ? 0 : c] ?? 0;
    const s = std[std.length === 1 ? 0 : c] ?? 1;
    for (let p = c * hw; p < (c + 1) * hw; p++) out[p] = (img.data[p]! - m) / s;
  }
  return out;
}
