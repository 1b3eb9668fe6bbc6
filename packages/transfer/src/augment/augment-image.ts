import { uniform } from './augment-random.js';
import type { AugmentOptions } from './augment-options.js';
import { colorJitter, sampleJitter } from './color-jitter.js';
import { horizontalFlip } from './flip.js';
import type { Pixels } from './pixels.js';
import { resizedCrop, sampleCropBox } from './random-resized-crop.js';
import { rotate } from './rotate.js';

/**
 * Augments one decoded image to `size` [height, width]: random resized crop (or a plain resize of
 * the whole image), flip, rotation, colour jitter, in that order, every draw taken from `rand`
 * (use {@link augmentRandom}(seed, epoch, index) so the result is a function of those three).
 *
 * @example const out = augmentImage(img, [224, 224], { crop: {}, flip: 0.5 }, augmentRandom(seed, epoch, i));
 */
export function augmentImage(img: Pixels, size: readonly [number, number], o: AugmentOptions, rand: () => number): Pixels {
  const box = o.crop ? sampleCropBox(rand, img.height, img.width, o.crop) : { top: 0, left: 0, height: img.height, width: img.width };
  let out = resizedCrop(img, box, size);
  if (o.flip && rand() < o.flip) out = horizontalFlip(out);
  if (o.rotate) out = rotate(out, uniform(rand, -o.rotate, o.rotate), o.rotateFill ?? 0);
  if (o.jitter) out = colorJitter(out, sampleJitter(rand, o.jitter));
  return out;
}
