import { permutation } from '@anneal/data';
import { beta } from './augment-random.js';
import type { MixOptions } from './augment-options.js';

/** A mixed batch: images, soft targets [N, classes] and how they were made. */
export interface MixedBatch {
  /** [N, C, H, W] images, mixed. */
  x: Float32Array;
  /** [N, classes] soft targets: λ·onehot(label) + (1 − λ)·onehot(partner's label). */
  targets: Float32Array;
  kind: 'mixup' | 'cutmix' | 'none';
  /** The weight of each example's own label (for cutmix: 1 − the pasted area fraction). */
  lambda: number;
  /** Example i is mixed with example partner[i]. */
  partner: Int32Array;
}

/** A cutmix box [top, left, bottom, right) covering about 1 − λ of an h × w image, centre uniform, clipped. */
function cutBox(rand: () => number, lambda: number, h: number, w: number): [number, number, number, number] {
  const cut = Math.sqrt(1 - lambda);
  const [ch, cw] = [Math.round(h * cut), Math.round(w * cut)];
  const [cy, cx] = [Math.floor(rand() * h), Math.floor(rand() * w)];
  return [Math.max(0, cy - (ch >> 1)), Math.max(0, cx - (cw >> 1)), Math.min(h, cy + (ch >> 1)), Math.min(w, cx + (cw >> 1))];
}

/**
 * Mixup / CutMix over one batch ([N, C, H, W] images, int64 labels): pairs each example with a
 * partner from a seeded permutation, draws λ ~ Beta(α, α) once per batch, and returns the mixed
 * images with soft targets. `rand` should be {@link augmentRandom}(seed, epoch, batchIndex, 1).
 *
 * @example const { x, targets } = mixBatch(images, [16, 3, 224, 224], labels, { mixup: 0.2, classes: 10 }, rand);
 */
export function mixBatch(images: Float32Array, dims: readonly number[], labels: BigInt64Array, o: MixOptions, rand: () => number): MixedBatch {
  const [n, c, h, w] = dims as [number, number, number, number];
  const targets = new Float32Array(n * o.classes);
  const partner = permutation(n, Math.floor(rand() * 2 ** 31));
  const x = Float32Array.from(images);
  const apply = !(o.mixProb !== undefined && rand() >= o.mixProb);
  const useCutmix = apply && o.cutmix !== undefined && (o.mixup === undefined || rand() < (o.switchProb ?? 0.5));
  const kind = !apply ? 'none' : useCutmix ? 'cutmix' : 'mixup';
  let lambda = 1;
  const per = c * h * w;
  if (kind === 'mixup') {
    lambda = beta(rand, o.mixup!, o.mixup!);
    for (let i = 0; i < n; i++) {
      const [a, b] = [i * per, partner[i]! * per];
      for (let k = 0; k < per; k++) x[a + k] = lambda * images[a + k]! + (1 - lambda) * images[b + k]!;
    }
  } else if (kind === 'cutmix') {
    const [top, left, bottom, right] = cutBox(rand, beta(rand, o.cutmix!, o.cutmix!), h, w);
    lambda = 1 - ((bottom - top) * (right - left)) / (h * w);
    for (let i = 0; i < n; i++) {
      for (let ch = 0; ch < c; ch++) {
        for (let y = top; y < bottom; y++) {
          const row = (ch * h + y) * w;
          x.set(images.subarray(partner[i]! * per + row + left, partner[i]! * per + row + right), i * per + row + left);
        }
      }
    }
  }
  for (let i = 0; i < n; i++) {
    targets[i * o.classes + Number(labels[i])] += lambda;
    targets[i * o.classes + Number(labels[partner[i]!])] += 1 - lambda;
  }
  return { x, targets, kind, lambda, partner: Int32Array.from(partner) };
}
