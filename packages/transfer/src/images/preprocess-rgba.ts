import { ShapeMismatchError } from '../errors.js';
import { normalizeBytes } from './normalize-bytes.js';
import { planPreprocess, type ImagePreprocess } from './preprocess.js';

/** Where an image goes in the preprocess's [height, width] frame: a source crop drawn into a target rectangle. */
export interface FitBox {
  /** Source crop (pixels of the original image). */
  sx: number;
  sy: number;
  sw: number;
  sh: number;
  /** Target rectangle inside the [height, width] frame; the rest is `background`. */
  dx: number;
  dy: number;
  dw: number;
  dh: number;
}

/**
 * The geometry of the preprocess's `fit` and `position` for an image of `width` x `height`, as
 * sharp applies it in Node: `fill` stretches, `contain` scales to fit inside and pads (centred, or
 * at the left edge and centred vertically), `cover` scales to cover and crops. A page draws the
 * image with `ctx.drawImage(img, sx, sy, sw, sh, dx, dy, dw, dh)` on a canvas of the target size
 * filled with the background gray, then passes the pixels to {@link preprocessRgba}.
 *
 * @example fitBox(28, 28, { size: [48, 192], fit: 'contain', position: 'left' }); // { sx: 0, sy: 0, sw: 28, sh: 28, dx: 0, dy: 0, dw: 48, dh: 48 }
 */
export function fitBox(width: number, height: number, p: ImagePreprocess): FitBox {
  const q = planPreprocess(p);
  const [H, W] = q.size;
  const full = { sx: 0, sy: 0, sw: width, sh: height };
  if (q.fit === 'fill') return { ...full, dx: 0, dy: 0, dw: W, dh: H };
  if (q.fit === 'contain') {
    const scale = Math.min(W / width, H / height);
    const dw = Math.max(1, Math.min(W, Math.round(width * scale)));
    const dh = Math.max(1, Math.min(H, Math.round(height * scale)));
    const dy = Math.floor((H - dh) / 2);
    return { ...full, dx: q.position === 'left' ? 0 : Math.floor((W - dw) / 2), dy, dw, dh };
  }
  const scale = Math.max(W / width, H / height);
  const sw = Math.min(width, W / scale);
  const sh = Math.min(height, H / scale);
  return { sx: q.position === 'left' ? 0 : (width - sw) / 2, sy: (height - sh) / 2, sw, sh, dx: 0, dy: 0, dw: W, dh: H };
}

/** sRGB byte -> linear light, and back (for luminance as libvips computes 'b-w'). */
const toLinear = Float64Array.from({ length: 256 }, (_, b) => {
  const v = b / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
});
const toByte = (y: number): number => Math.round(255 * (y <= 0.0031308 ? 12.92 * y : 1.055 * y ** (1 / 2.4) - 0.055));

/**
 * The browser's counterpart of preprocessImage: RGBA bytes of an image already drawn at the
 * preprocess's size (a canvas's `getImageData(...).data`, see {@link fitBox}; alpha is ignored, so
 * draw onto the background first) become the normalized example, through the same byte -> value
 * table and layout as the sharp pipeline. One channel is the luminance of linear sRGB (as libvips's
 * 'b-w'). Canvas resampling differs from sharp's triangle filter by a few levels at most.
 *
 * @example
 * ctx.fillRect(0, 0, 192, 48); ctx.drawImage(bitmap, ...Object.values(fitBox(bitmap.width, bitmap.height, p)));
 * const x = preprocessRgba(ctx.getImageData(0, 0, 192, 48).data, p); // 3*48*192 values
 */
export function preprocessRgba(rgba: ArrayLike<number>, p: ImagePreprocess): Float32Array {
  const q = planPreprocess(p);
  const [h, w] = q.size;
  if (rgba.length !== h * w * 4) {
    throw new ShapeMismatchError('preprocessRgba pixels', [h, w, 4], [rgba.length], `Draw the image at the preprocess size (${w}x${h}) and pass its RGBA bytes (${h * w * 4} values).`);
  }
  const out = new Float32Array(q.channels * h * w);
  if (q.channels === 3) {
    normalizeBytes(rgba, 4, 1, q, out, 0);
    return out;
  }
  const gray = new Uint8Array(h * w);
  for (let i = 0; i < gray.length; i++) gray[i] = toByte(0.2126 * toLinear[rgba[4 * i]!]! + 0.7152 * toLinear[rgba[4 * i + 1]!]! + 0.0722 * toLinear[rgba[4 * i + 2]!]!);
  normalizeBytes(gray, 1, 0, q, out, 0);
  return out;
}
