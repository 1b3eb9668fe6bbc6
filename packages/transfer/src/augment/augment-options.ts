import { z } from 'zod';
import { AugmentError } from './augment-error.js';

const say = (reason: string) => ({ error: (issue: { input?: unknown }) => `${JSON.stringify(issue.input)} ${reason}` });
const probability = z.number().min(0, say('is not a probability in [0, 1]')).max(1, say('is not a probability in [0, 1]'));
const range = z.tuple([z.number(), z.number()]);

/** Random resized crop (torchvision's RandomResizedCrop): the schema is the one description of its options. */
export const cropOptionsSchema = z
  .object({
    /** Range of the crop's area as a fraction of the image area, default [0.08, 1]. */
    scale: range.refine(([lo, hi]) => lo > 0 && hi <= 1 && lo <= hi, say('must satisfy 0 < min <= max <= 1 (fractions of the image area)')).optional(),
    /** Range of the crop's aspect ratio width / height (drawn log-uniformly), default [3/4, 4/3]. */
    ratio: range.refine(([lo, hi]) => lo > 0 && lo <= hi, say('must satisfy 0 < min <= max (aspect ratios width / height)')).optional(),
  })
  .strict();

/** Colour jitter strengths, as torchvision's ColorJitter: each factor is drawn in [1 - s, 1 + s] (hue: a shift in [-s, s] turns, s <= 0.5). */
export const jitterOptionsSchema = z
  .object({
    brightness: z.number().min(0, say('must be >= 0 (factors are drawn in [1 - s, 1 + s])')).optional(),
    contrast: z.number().min(0, say('must be >= 0 (factors are drawn in [1 - s, 1 + s])')).optional(),
    saturation: z.number().min(0, say('must be >= 0 (factors are drawn in [1 - s, 1 + s])')).optional(),
    hue: z.number().min(0, say('must be in [0, 0.5] (turns of the colour wheel)')).max(0.5, say('must be in [0, 0.5] (turns of the colour wheel)')).optional(),
  })
  .strict();

/**
 * The per-image augmentations of a fine-tuning run, applied in this order to the decoded image in
 * [0, 1]: random resized crop to the model's input size (else a plain resize), horizontal flip, a
 * small rotation, colour jitter. Every draw comes from {@link augmentRandom}(seed, epoch, index).
 * This schema is the one description of the options: the API's types, {@link checkAugmentOptions}
 * and `anneal finetune`'s `data.augment` section are all made from it.
 */
export const augmentOptionsSchema = z
  .object({
    /** Random resized crop (torchvision semantics); absent: the whole image is resized. */
    crop: cropOptionsSchema.optional(),
    /** Probability of a horizontal flip (0..1); absent: never. */
    flip: probability.optional(),
    /** Maximum rotation in degrees, drawn uniformly in [-rotate, rotate]; absent: none. */
    rotate: z.number().min(0, say('must be a number of degrees in [0, 180]')).max(180, say('must be a number of degrees in [0, 180]')).optional(),
    /** Gray level (0..1) of the corners a rotation uncovers, default 0. */
    rotateFill: z.number().min(0, say('must be a gray level in [0, 1]')).max(1, say('must be a gray level in [0, 1]')).optional(),
    jitter: jitterOptionsSchema.optional(),
  })
  .strict();

/**
 * Options of {@link augmentImage} and `AugmentedImages` ({@link augmentOptionsSchema}).
 *
 * @example
 * const aug: AugmentOptions = { crop: { scale: [0.25, 1] }, flip: 0.5, rotate: 10, jitter: { brightness: 0.3, contrast: 0.3, saturation: 0.3 } };
 */
export type AugmentOptions = z.infer<typeof augmentOptionsSchema>;

const alpha = z.number().gt(0, say('must be a Beta α > 0 (e.g. 0.2 for mixup, 1.0 for cutmix)'));

/**
 * Batch mixing (applied after normalization to whole batches): mixup blends two images and their
 * labels with λ ~ Beta(α, α); cutmix pastes a box of the partner image covering 1 − λ of the area
 * and mixes labels by the exact area. With both set, each batch uses cutmix with probability
 * `switchProb` (default 0.5), as timm does. Labels become soft targets [N, classes]. This schema
 * is the one description of the options: {@link MixOptions}, {@link checkMixOptions} and
 * `anneal finetune`'s `data.augment.mixup / cutmix / mixProb / switchProb` are made from it.
 */
export const mixOptionsSchema = z
  .object({
    /** Mixup α (> 0): λ ~ Beta(α, α); absent: no mixup. */
    mixup: alpha.optional(),
    /** CutMix α (> 0); absent: no cutmix. */
    cutmix: alpha.optional(),
    /** Probability that a batch is mixed at all, default 1. */
    mixProb: probability.optional(),
    /** With both mixup and cutmix: probability that a batch uses cutmix, default 0.5. */
    switchProb: probability.optional(),
  })
  .strict();

/**
 * Options of {@link mixBatch} ({@link mixOptionsSchema}) and the number of classes (the width of
 * the soft targets).
 *
 * @example const mix: MixOptions = { mixup: 0.2, cutmix: 1.0, classes: 10 };
 */
export type MixOptions = z.infer<typeof mixOptionsSchema> & {
  /** Number of classes (width of the soft targets). */
  classes: number;
};

/** Checks augmentation options against {@link augmentOptionsSchema}; throws {@link AugmentError} naming the option and the fix. */
export function checkAugmentOptions(o: AugmentOptions): void {
  const parsed = augmentOptionsSchema.safeParse(o);
  if (parsed.success) return;
  const issue = parsed.error.issues[0]!;
  throw new AugmentError(issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : 'augment'), issue.code === 'unrecognized_keys' ? `unknown option; the options are ${Object.keys(augmentOptionsSchema.shape).join(', ')}` : issue.message);
}

/** Checks batch-mixing options against {@link mixOptionsSchema}; throws {@link AugmentError} naming the option and the fix. */
export function checkMixOptions(m: MixOptions): void {
  if (!Number.isInteger(m.classes) || m.classes < 2) throw new AugmentError('mix.classes', `${m.classes} must be the number of classes, an integer >= 2`);
  const { classes: _classes, ...options } = m;
  const parsed = mixOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AugmentError(`mix.${issue.path.join('.') || (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : '')}`, issue.code === 'unrecognized_keys' ? `unknown option; the options are classes, ${Object.keys(mixOptionsSchema.shape).join(', ')}` : issue.message);
  }
  if (m.mixup === undefined && m.cutmix === undefined) throw new AugmentError('mix', 'set mixup and/or cutmix (their Beta α, e.g. 0.2 and 1.0)');
}
