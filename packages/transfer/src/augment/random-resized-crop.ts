import type { z } from 'zod';
import type { cropOptionsSchema } from './augment-options.js';
import { uniform } from './augment-random.js';
import { bilinear, type Pixels } from './pixels.js';

/** A crop window in source pixels: top-left corner and size (continuous values allowed). */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** Options of the random resized crop (torchvision's RandomResizedCrop semantics): `scale` (area fraction, default [0.08, 1]) and `ratio` (width / height, default [3/4, 4/3]); see {@link cropOptionsSchema}. */
export type ResizedCropOptions = z.infer<typeof cropOptionsSchema>;

/**
 * Draws a crop window as torchvision's RandomResizedCrop.get_params does: up to 10 tries of an area
 * fraction in `scale` and a log-uniform aspect ratio in `ratio` that fit inside the image, else the
 * central crop with the ratio clamped to the range.
 *
 * @example const box = sampleCropBox(rand, 480, 640, { scale: [0.08, 1] });
 */
export function sampleCropBox(rand: () => number, height: number, width: number, options: ResizedCropOptions = {}): CropBox {
  const [smin, smax] = options.scale ?? [0.08, 1];
  const [rmin, rmax] = options.ratio ?? [3 / 4, 4 / 3];
  const area = height * width;
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * uniform(rand, smin, smax);
    const aspect = Math.exp(uniform(rand, Math.log(rmin), Math.log(rmax)));
    const w = Math.round(Math.sqrt(target * aspect));
    const h = Math.round(Math.sqrt(target / aspect));
    if (w > 0 && h > 0 && w <= width && h <= height) {
      return { top: Math.floor(rand() * (height - h + 1)), left: Math.floor(rand() * (width - w + 1)), height: h, width: w };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < rmin) h = Math.round(w / rmin);
  else if (inRatio > rmax) w = Math.round(h * rmax);
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

/**
 * Resamples the window `box` of `img` to `size` [height, width] with bilinear interpolation
 * (output pixel centres spread evenly over the window, align_corners=False; no antialiasing).
 *
 * @example const out = resizedCrop(img, { top: 0, left: 0, height: img.height, width: img.width }, [224, 224]);
 */
export function resizedCrop(img: Pixels, box: CropBox, size: readonly [number, number]): Pixels {
  const [oh, ow] = size;
  const out = new Float32Array(img.channels * oh * ow);
  const sy = box.height / oh;
  const sx = box.width / ow;
  for (let c = 0; c < img.channels; c++) {
    for (let i = 0; i < oh; i++) {
      const y = box.top + (i + 0.5) * sy - 0.5;
      for (let j = 0; j < ow; j++) out[(c * oh + i) * ow + j] = bilinear(img, c, box.left + (j + 0.5) * sx - 0.5, y);
    }
  }
  return { channels: img.channels, height: oh, width: ow, data: out };
}
