import type { Plan } from './preprocess.js';

/**
 * The last stage of the image preprocess, shared by the sharp pipeline (Node) and preprocessRgba
 * (a canvas in a page): interleaved 8-bit pixels of the target size, `step` bytes per pixel, become
 * the normalized example in out[offset ...] through the plan's byte -> value table, in its layout.
 * `pick` 0 reads channel 0 for every output channel (a gray source), 1 reads channel c at byte c.
 */
export function normalizeBytes(data: ArrayLike<number>, step: number, pick: 0 | 1, q: Plan, out: Float32Array, offset: number): void {
  const [h, w] = q.size;
  const C = q.channels;
  const hw = h * w;
  const lut = q.lut;
  if (q.layout === 'NHWC') {
    for (let p = 0; p < hw; p++) for (let c = 0; c < C; c++) out[offset + p * C + c] = lut[c * 256 + data[p * step + c * pick]!]!;
  } else {
    for (let c = 0; c < C; c++) {
      const o = offset + c * hw;
      const l = c * 256;
      for (let p = 0; p < hw; p++) out[o + p] = lut[l + data[p * step + c * pick]!]!;
    }
  }
}
