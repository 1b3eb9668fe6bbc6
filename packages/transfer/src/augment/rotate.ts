import { bilinear, type Pixels } from './pixels.js';

/**
 * Rotates `img` by `degrees` counter-clockwise (as seen on screen, y pointing down) about its centre,
 * keeping its size: each output pixel samples the source bilinearly at the inversely rotated position;
 * positions outside the source get `fill`.
 *
 * @example const tilted = rotate(img, 10, 0.5);
 */
export function rotate(img: Pixels, degrees: number, fill = 0): Pixels {
  const { channels, height: h, width: w } = img;
  const out = new Float32Array(channels * h * w);
  const t = (degrees * Math.PI) / 180;
  const [cos, sin] = [Math.cos(t), Math.sin(t)];
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      // screen counter-clockwise with y down: source = R(+t) applied to (dx, dy) with the y sign flipped
      const dx = j - cx;
      const dy = i - cy;
      const sx = cx + cos * dx - sin * dy;
      const sy = cy + sin * dx + cos * dy;
      const inside = sx >= -0.5 && sx <= w - 0.5 && sy >= -0.5 && sy <= h - 0.5;
      for (let c = 0; c < channels; c++) out[(c * h + i) * w + j] = inside ? bilinear(img, c, sx, sy) : fill;
    }
  }
  return { channels, height: h, width: w, data: out };
}
