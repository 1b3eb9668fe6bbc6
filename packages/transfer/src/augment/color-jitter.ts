import type { z } from 'zod';
import type { jitterOptionsSchema } from './augment-options.js';
import { uniform } from './augment-random.js';
import type { Pixels } from './pixels.js';

/** Strengths of the colour jitter, as torchvision's ColorJitter: each factor is drawn in [1 - s, 1 + s] (hue: a shift in [-s, s] turns, s <= 0.5); see {@link jitterOptionsSchema}. */
export type ColorJitterOptions = z.infer<typeof jitterOptionsSchema>;

/** The drawn factors (1 = unchanged; hue 0 = unchanged). */
export interface JitterFactors {
  brightness: number;
  contrast: number;
  saturation: number;
  hue: number;
}

/**
 * Draws the jitter factors of one image; a factor whose strength is 0 or absent stays neutral and
 * draws nothing.
 * @example const f = sampleJitter(rand, { brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 });
 */
export function sampleJitter(rand: () => number, o: ColorJitterOptions): JitterFactors {
  const factor = (s: number | undefined) => (s ? uniform(rand, Math.max(0, 1 - s), 1 + s) : 1);
  return { brightness: factor(o.brightness), contrast: factor(o.contrast), saturation: factor(o.saturation), hue: o.hue ? uniform(rand, -o.hue, o.hue) : 0 };
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
const gray = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;

/** Shifts the hue of one RGB pixel by `shift` turns (through HSV, as torchvision's adjust_hue). */
function shiftHue(r: number, g: number, b: number, shift: number): [number, number, number] {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const delta = max - min;
  if (delta === 0) return [r, g, b];
  let h = max === r ? (g - b) / delta : max === g ? 2 + (b - r) / delta : 4 + (r - g) / delta;
  h = (((h / 6 + shift) % 1) + 1) % 1;
  const s = delta / max;
  const sector = Math.floor(h * 6);
  const f = h * 6 - sector;
  const [p, q, t] = [max * (1 - s), max * (1 - s * f), max * (1 - s * (1 - f))];
  return ([[max, t, p], [q, max, p], [p, max, t], [p, q, max], [t, p, max], [max, p, q]] as const)[sector % 6]!.slice() as [number, number, number];
}

/**
 * Applies brightness (v·b), contrast (blend with the mean gray level), saturation (blend with each
 * pixel's gray level) and hue, in that order, clamping to [0, 1] after each as torchvision does.
 * Gray images (1 channel) take brightness and contrast only.
 *
 * @example const out = colorJitter(img, { brightness: 1.2, contrast: 0.9, saturation: 1.1, hue: 0.02 });
 */
export function colorJitter(img: Pixels, f: JitterFactors): Pixels {
  const { channels, height, width } = img;
  const hw = height * width;
  const d = Float32Array.from(img.data);
  if (f.brightness !== 1) for (let i = 0; i < d.length; i++) d[i] = clamp01(d[i]! * f.brightness);
  const rgb = channels === 3;
  if (f.contrast !== 1) {
    let sum = 0;
    for (let p = 0; p < hw; p++) sum += rgb ? gray(d[p]!, d[hw + p]!, d[2 * hw + p]!) : d[p]!;
    const mean = sum / hw;
    for (let i = 0; i < d.length; i++) d[i] = clamp01(mean + f.contrast * (d[i]! - mean));
  }
  if (rgb && f.saturation !== 1) {
    for (let p = 0; p < hw; p++) {
      const g = gray(d[p]!, d[hw + p]!, d[2 * hw + p]!);
      for (let c = 0; c < 3; c++) d[c * hw + p] = clamp01(g + f.saturation * (d[c * hw + p]! - g));
    }
  }
  if (rgb && f.hue !== 0) {
    for (let p = 0; p < hw; p++) {
      const [r, g, b] = shiftHue(d[p]!, d[hw + p]!, d[2 * hw + p]!, f.hue);
      [d[p], d[hw + p], d[2 * hw + p]] = [r, g, b];
    }
  }
  return { channels, height, width, data: d };
}
