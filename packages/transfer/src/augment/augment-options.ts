import { AugmentError } from './augment-error.js';
import type { ColorJitterOptions } from './color-jitter.js';
import type { ResizedCropOptions } from './random-resized-crop.js';

/**
 * The per-image augmentations of a fine-tuning run, applied in this order to the decoded image in
 * [0, 1]: random resized crop to the model's input size (else a plain resize), horizontal flip, a
 * small rotation, colour jitter. Every draw comes from {@link augmentRandom}(seed, epoch, index).
 *
 * @example
 * const aug: AugmentOptions = { crop: { scale: [0.25, 1] }, flip: 0.5, rotate: 10, jitter: { brightness: 0.3, contrast: 0.3, saturation: 0.3 } };
 */
export interface AugmentOptions {
  /** Random resized crop (torchvision semantics); absent: the whole image is resized. */
  crop?: ResizedCropOptions;
  /** Probability of a horizontal flip (0..1); absent: never. */
  flip?: number;
  /** Maximum rotation in degrees, drawn uniformly in [-rotate, rotate]; absent: none. */
  rotate?: number;
  /** Gray level (0..1) of the corners a rotation uncovers, default 0. */
  rotateFill?: number;
  jitter?: ColorJitterOptions;
}

/**
 * Batch mixing (applied after normalization to whole batches): mixup blends two images and their
 * labels with λ ~ Beta(α, α); cutmix pastes a box of the partner image covering 1 − λ of the area
 * and mixes labels by the exact area. With both set, each batch uses cutmix with probability
 * `switchProb` (default 0.5), as timm does. Labels become soft targets [N, classes].
 *
 * @example const mix: MixOptions = { mixup: 0.2, cutmix: 1.0, classes: 10 };
 */
export interface MixOptions {
  /** Number of classes (width of the soft targets). */
  classes: number;
  /** Mixup α (> 0). */
  mixup?: number;
  /** CutMix α (> 0). */
  cutmix?: number;
  /** Probability that a batch is mixed at all, default 1. */
  prob?: number;
  /** With both mixup and cutmix: probability of cutmix, default 0.5. */
  switchProb?: number;
}

const inUnit = (v: number) => Number.isFinite(v) && v >= 0 && v <= 1;

/** Checks augmentation options; throws {@link AugmentError} naming the option and the fix. */
export function checkAugmentOptions(o: AugmentOptions): void {
  if (o.crop?.scale) {
    const [lo, hi] = o.crop.scale;
    if (!(lo > 0 && hi <= 1 && lo <= hi)) throw new AugmentError('crop.scale', `[${lo}, ${hi}] must satisfy 0 < min <= max <= 1 (fractions of the image area)`);
  }
  if (o.crop?.ratio) {
    const [lo, hi] = o.crop.ratio;
    if (!(lo > 0 && lo <= hi)) throw new AugmentError('crop.ratio', `[${lo}, ${hi}] must satisfy 0 < min <= max (aspect ratios width / height)`);
  }
  if (o.flip !== undefined && !inUnit(o.flip)) throw new AugmentError('flip', `${o.flip} is not a probability in [0, 1]`);
  if (o.rotate !== undefined && !(o.rotate >= 0 && o.rotate <= 180)) throw new AugmentError('rotate', `${o.rotate} must be a number of degrees in [0, 180]`);
  if (o.rotateFill !== undefined && !inUnit(o.rotateFill)) throw new AugmentError('rotateFill', `${o.rotateFill} must be a gray level in [0, 1]`);
  for (const key of ['brightness', 'contrast', 'saturation'] as const) {
    const v = o.jitter?.[key];
    if (v !== undefined && !(v >= 0)) throw new AugmentError(`jitter.${key}`, `${v} must be >= 0 (factors are drawn in [1 - s, 1 + s])`);
  }
  const hue = o.jitter?.hue;
  if (hue !== undefined && !(hue >= 0 && hue <= 0.5)) throw new AugmentError('jitter.hue', `${hue} must be in [0, 0.5] (turns of the colour wheel)`);
}

/** Checks batch-mixing options; throws {@link AugmentError} naming the option and the fix. */
export function checkMixOptions(m: MixOptions): void {
  if (!Number.isInteger(m.classes) || m.classes < 2) throw new AugmentError('mix.classes', `${m.classes} must be the number of classes, an integer >= 2`);
  if (m.mixup === undefined && m.cutmix === undefined) throw new AugmentError('mix', 'set mixup and/or cutmix (their Beta α, e.g. 0.2 and 1.0)');
  for (const key of ['mixup', 'cutmix'] as const) {
    const v = m[key];
    if (v !== undefined && !(v > 0)) throw new AugmentError(`mix.${key}`, `α = ${v} must be > 0`);
  }
  for (const key of ['prob', 'switchProb'] as const) {
    const v = m[key];
    if (v !== undefined && !inUnit(v)) throw new AugmentError(`mix.${key}`, `${v} is not a probability in [0, 1]`);
  }
}
