import type { AugmentOptions } from './augment-options.js';

/** What an augmentation worker is started with. */
export interface AugmentWorkerInit {
  readonly size: [number, number];
  readonly channels: 1 | 3;
  readonly mean: number[];
  readonly std: number[];
  /** Gray level (0..1) transparency is flattened onto. */
  readonly background: number;
  /** 1 - v after augmenting, before normalizing (as the sharp preprocessing does). */
  readonly invert: boolean;
  readonly shorterSide?: number;
  readonly augment: AugmentOptions;
}

/** Main -> worker: decode and augment one example. */
export interface AugmentTask {
  readonly id: number;
  readonly source: string | Uint8Array;
  readonly seed: number;
  readonly epoch: number;
  readonly index: number;
}

/** Worker -> main: the normalized [C, H, W] example, or why it failed. */
export type AugmentReply = { readonly id: number; readonly data: Float32Array } | { readonly id: number; readonly error: string };
