/**
 * A decoded image as float pixels, channels first ([C, H, W] row-major), values in [0, 1]: what the
 * augmentations read and write before the model's normalization is applied.
 * @example const img: Pixels = { channels: 3, height: 2, width: 2, data: new Float32Array(12) };
 */
export interface Pixels {
  channels: number;
  height: number;
  width: number;
  data: Float32Array;
}

/** A blank image of the given size filled with `fill`. */
export function blankPixels(channels: number, height: number, width: number, fill = 0): Pixels {
  return { channels, height, width, data: new Float32Array(channels * height * width).fill(fill) };
}

/**
 * Bilinear sample of channel `c` at the continuous position (x, y) in pixel-centre coordinates
 * (pixel (i, j) has its centre at x = j, y = i); positions beyond the edge clamp to it.
 */
export function bilinear(img: Pixels, c: number, x: number, y: number): number {
  const { width: w, height: h, data } = img;
  const cx = Math.min(Math.max(x, 0), w - 1);
  const cy = Math.min(Math.max(y, 0), h - 1);
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const x1 = Math.min(x0 + 1, w - 1);
  const y1 = Math.min(y0 + 1, h - 1);
  const fx = cx - x0;
  const fy = cy - y0;
  const base = c * w * h;
  const top = data[base + y0 * w + x0]! * (1 - fx) + data[base + y0 * w + x1]! * fx;
  const bottom = data[base + y1 * w + x0]! * (1 - fx) + data[base + y1 * w + x1]! * fx;
  return top * (1 - fy) + bottom * fy;
}
