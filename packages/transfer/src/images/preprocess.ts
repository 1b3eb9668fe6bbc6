import type { Sharp } from 'sharp';
import sharp from '#sharp';
import { ShapeMismatchError } from '../errors.js';
import { ImageDecodeError, ImagePreprocessError } from './image-errors.js';
import { normalizeBytes } from './normalize-bytes.js';

/**
 * How images become backbone input. Pipeline (sharp/libvips): decode (EXIF orientation applied)
 * -> flatten transparency onto `background` -> resize to `size` with `fit` -> gray or sRGB
 * -> uint8 -> v/255 in [0, 1] -> `invert` (1 - v) -> (v - mean[c]) / std[c] -> `layout`.
 * @example
 * const p: ImagePreprocess = { size: [224, 224], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
 */
export interface ImagePreprocess {
  /** [height, width] of the backbone input. */
  size: [number, number];
  /** Output channels, default 3 (gray sources are replicated; colour sources become luminance for 1). */
  channels?: 1 | 3;
  /** 'fill' stretches (default); 'contain' letterboxes with `background`; 'cover' crops. */
  fit?: 'fill' | 'contain' | 'cover';
  /** Where 'contain' places (and 'cover' crops) the image; 'left' suits text-line models. Default 'centre'. */
  position?: 'centre' | 'left';
  /** 0..1 gray level of padding and of transparent pixels, before `invert`. Default 0. */
  background?: number;
  /** Use 1 - v before normalizing (dark text on light paper vs white-on-black digits). */
  invert?: boolean;
  /** Per-channel mean (length 1 or `channels`), default 0. */
  mean?: number[];
  /** Per-channel std (length 1 or `channels`), default 1. */
  std?: number[];
  /** Per-example layout: [C,H,W] (default 'NCHW') or [H,W,C]. */
  layout?: 'NCHW' | 'NHWC';
}

/** Resize kernel: a triangle filter (antialiased when shrinking), like PIL / torchvision bilinear resizing. */
const KERNEL = 'linear';
const FITS = ['fill', 'contain', 'cover'] as const;

/** A validated preprocess with defaults filled (internal to the images folder). */
export interface Plan {
  size: [number, number];
  channels: 1 | 3;
  fit: 'fill' | 'contain' | 'cover';
  position: 'centre' | 'left';
  background: number;
  invert: boolean;
  mean: number[];
  std: number[];
  layout: 'NCHW' | 'NHWC';
  /** lut[c * 256 + byte] = normalized value of that byte in channel c. */
  lut: Float32Array;
}

function perChannel(field: 'mean' | 'std', values: number[] | undefined, channels: number, fallback: number): number[] {
  const v = values ?? [fallback];
  if (v.length !== 1 && v.length !== channels) {
    throw new ImagePreprocessError(field, `has ${v.length} values but channels is ${channels}; give 1 value or ${channels}`);
  }
  v.forEach((x, i) => {
    if (!Number.isFinite(x) || (field === 'std' && x <= 0)) {
      throw new ImagePreprocessError(`${field}[${i}]`, `${x} is not ${field === 'std' ? 'a positive' : 'a finite'} number`);
    }
  });
  return Array.from({ length: channels }, (_, c) => v[v.length === 1 ? 0 : c]!);
}

/** Validates `p`, fills the defaults and builds the byte -> value table. */
export function planPreprocess(p: ImagePreprocess): Plan {
  const size = p.size;
  if (!Array.isArray(size) || size.length !== 2 || !size.every((s) => Number.isInteger(s) && s > 0)) {
    throw new ImagePreprocessError('size', `expected [height, width] of positive integers, got ${JSON.stringify(size)}`);
  }
  const channels = p.channels ?? 3;
  if (channels !== 1 && channels !== 3) throw new ImagePreprocessError('channels', `must be 1 or 3, got ${String(channels)}`);
  const fit = p.fit ?? 'fill';
  if (!FITS.includes(fit)) throw new ImagePreprocessError('fit', `must be one of ${FITS.join(', ')}; got '${String(fit)}'`);
  const position = p.position ?? 'centre';
  if (position !== 'centre' && position !== 'left') throw new ImagePreprocessError('position', `must be 'centre' or 'left', got '${String(position)}'`);
  const background = p.background ?? 0;
  if (!(background >= 0 && background <= 1)) throw new ImagePreprocessError('background', `must be a gray level in [0, 1], got ${background}`);
  const layout = p.layout ?? 'NCHW';
  if (layout !== 'NCHW' && layout !== 'NHWC') throw new ImagePreprocessError('layout', `must be 'NCHW' or 'NHWC', got '${String(layout)}'`);
  const invert = p.invert ?? false;
  const mean = perChannel('mean', p.mean, channels, 0);
  const std = perChannel('std', p.std, channels, 1);
  const lut = new Float32Array(channels * 256);
  for (let c = 0; c < channels; c++) {
    for (let b = 0; b < 256; b++) lut[c * 256 + b] = ((invert ? 1 - b / 255 : b / 255) - mean[c]!) / std[c]!;
  }
  return { size: [size[0], size[1]], channels, fit, position, background, invert, mean, std, layout, lut };
}

/**
 * Canonical string of a preprocess config (defaults filled, per-channel lists expanded, stable key
 * order, resize kernel and a version included); equal strings mean equal model input.
 * @example describePreprocess({ size: [28, 28], channels: 1 }) === describePreprocess({ size: [28, 28], channels: 1, mean: [0] }); // true
 */
export function describePreprocess(p: ImagePreprocess): string {
  const q = planPreprocess(p);
  return JSON.stringify({
    v: 1, kernel: KERNEL, size: q.size, channels: q.channels, fit: q.fit, position: q.position,
    background: q.background, invert: q.invert, mean: q.mean, std: q.std, layout: q.layout,
  });
}

/**
 * Per-example dims the preprocess produces: [C,H,W] for 'NCHW', [H,W,C] for 'NHWC'.
 * @example preprocessDims({ size: [48, 192] }); // [3, 48, 192]
 */
export function preprocessDims(p: ImagePreprocess): [number, number, number] {
  const { size: [h, w], channels, layout } = planPreprocess(p);
  return layout === 'NCHW' ? [channels, h, w] : [h, w, channels];
}

/**
 * Runs the sharp pipeline on `img` and writes the normalized example into out[offset ...].
 * `rawChannels` marks raw input (no alpha to flatten); a gray raw source stays one channel in
 * sharp and is replicated here, which equals sharp's own gray -> sRGB conversion and is faster.
 */
export async function runInto(img: Sharp, q: Plan, out: Float32Array, offset: number, rawChannels?: 1 | 3): Promise<void> {
  const [h, w] = q.size;
  const C = q.channels;
  const g = Math.round(q.background * 255);
  const gray = C === 1 || rawChannels === 1;
  if (rawChannels === undefined) img = img.flatten({ background: { r: g, g, b: g } });
  const { data, info } = await img
    .resize({ width: w, height: h, fit: q.fit, position: q.position === 'left' ? 'left' : 'centre', background: { r: g, g, b: g, alpha: 1 }, kernel: KERNEL })
    .toColourspace(gray ? 'b-w' : 'srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const step = gray ? 1 : C;
  if (info.width !== w || info.height !== h || info.channels !== step) {
    throw new Error(`sharp produced ${info.width}x${info.height}x${info.channels}, expected ${w}x${h}x${step}`);
  }
  normalizeBytes(data, step, gray ? 0 : 1, q, out, offset);
}

/**
 * Decodes (PNG, JPEG, WebP, GIF, TIFF, AVIF: whatever sharp reads) and preprocesses one image.
 * Returns `preprocessDims(p)` values. Throws ImageDecodeError naming the file when it cannot be read.
 * @example const x = await preprocessImage('cat.jpg', { size: [224, 224], mean: [0.5], std: [0.5] }); // 3*224*224 values
 */
export async function preprocessImage(input: string | Uint8Array, p: ImagePreprocess): Promise<Float32Array> {
  const q = planPreprocess(p);
  const out = new Float32Array(q.channels * q.size[0] * q.size[1]);
  await decodeInto(input, q, out, 0);
  return out;
}

/** Decodes a file or encoded buffer into out[offset ...]; any sharp failure becomes ImageDecodeError. */
export async function decodeInto(input: string | Uint8Array, q: Plan, out: Float32Array, offset: number): Promise<void> {
  try {
    await runInto(sharp(input, { autoOrient: true, failOn: 'error' }), q, out, offset);
  } catch (e) {
    throw new ImageDecodeError(typeof input === 'string' ? input : '<buffer>', e instanceof Error ? e.message : String(e));
  }
}

/** Raw pixels in [0,1] laid out [C,H,W] -> sharp raw input (interleaved uint8, rounded and clamped). */
export function rawImage(pixels: ArrayLike<number>, c: 1 | 3, h: number, w: number): Sharp {
  const hw = h * w;
  const bytes = new Uint8ClampedArray(hw * c);
  for (let k = 0; k < c; k++) for (let p = 0; p < hw; p++) bytes[p * c + k] = pixels[k * hw + p]! * 255;
  return sharp(bytes, { raw: { width: w, height: h, channels: c } });
}

function pixelDims(dims: readonly number[], where: string): { c: 1 | 3; h: number; w: number } {
  const ok = (d: readonly number[]) => d.every((v) => Number.isInteger(v) && v > 0);
  if (dims.length === 2 && ok(dims)) return { c: 1, h: dims[0]!, w: dims[1]! };
  if (dims.length === 3 && ok(dims) && (dims[0] === 1 || dims[0] === 3)) return { c: dims[0], h: dims[1]!, w: dims[2]! };
  throw new ShapeMismatchError(where, ['H', 'W'], dims, 'Pass gray pixels as [H, W] or [1, H, W], or colour pixels as [3, H, W] (channels first), values in [0, 1].');
}

/**
 * Preprocesses raw pixels in [0, 1] ([H,W] or [1,H,W] gray, [3,H,W] colour) through the same sharp
 * pipeline as files (values are clamped to [0, 1] and rounded to bytes first, as if read from an 8-bit image).
 * @example const x = await preprocessPixels(digit, [28, 28], { size: [48, 192], fit: 'contain', position: 'left' });
 */
export async function preprocessPixels(pixels: Float32Array, dims: readonly number[], p: ImagePreprocess): Promise<Float32Array> {
  const q = planPreprocess(p);
  const { c, h, w } = pixelDims(dims, 'preprocessPixels dims');
  if (pixels.length !== c * h * w) {
    throw new ShapeMismatchError('preprocessPixels pixels', [c * h * w], [pixels.length], `dims [${dims.join(', ')}] need ${c * h * w} values.`);
  }
  const out = new Float32Array(q.channels * q.size[0] * q.size[1]);
  await runInto(rawImage(pixels, c, h, w), q, out, 0, c);
  return out;
}
