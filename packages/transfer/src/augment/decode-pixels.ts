import sharp from '#sharp';
import { ImageDecodeError } from '../images/image-errors.js';
import type { Pixels } from './pixels.js';

/**
 * Decodes an image file or encoded buffer to {@link Pixels} in [0, 1] (EXIF orientation applied,
 * transparency flattened onto the gray level `background` (default 0, black), gray or sRGB), shrunk (never enlarged) so that its shorter side
 * is `shorterSide` when given: augmentations then work on fewer pixels, and a random resized crop
 * keeps its meaning since it is relative to the image area.
 *
 * @example const img = await decodePixels('cats/0001.jpg', 3, 256);
 */
export async function decodePixels(source: string | Uint8Array, channels: 1 | 3, shorterSide?: number, background = 0): Promise<Pixels> {
  try {
    let img = sharp(source, { autoOrient: true, failOn: 'error' }).flatten({ background: { r: Math.round(background * 255), g: Math.round(background * 255), b: Math.round(background * 255) } });
    if (shorterSide) img = img.resize({ width: shorterSide, height: shorterSide, fit: 'outside', withoutEnlargement: true, kernel: 'linear' });
    const { data, info } = await img.toColourspace(channels === 1 ? 'b-w' : 'srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const [h, w, step] = [info.height, info.width, info.channels];
    const hw = h * w;
    const out = new Float32Array(channels * hw);
    for (let c = 0; c < channels; c++) {
      const from = Math.min(c, step - 1);
      for (let p = 0; p < hw; p++) out[c * hw + p] = data[p * step + from]! / 255;
    }
    return { channels, height: h, width: w, data: out };
  } catch (e) {
    throw new ImageDecodeError(typeof source === 'string' ? source : '<buffer>', e instanceof Error ? e.message : String(e));
  }
}
