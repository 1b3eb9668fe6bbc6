// What a run is made of, computed from the page's state: the image batch, input dims, a
// preprocess for a new backbone, and the fingerprint that ties a checkpoint to its images.
import type { ImagePreprocess } from '@anneal/transfer';
import { DEFAULT_BACKBONE } from './default-backbone.js';
import { stack } from './page-images.js';
import type { StudioClass } from './store.js';
import type { BackboneInfo } from './trainer/studio-trainer.js';

/** [C, H, W] or [H, W, C] of a preprocess. */
export function inputDims(p: ImagePreprocess): number[] {
  const c = p.channels ?? 3;
  return (p.layout ?? 'NCHW') === 'NCHW' ? [c, ...p.size] : [...p.size, c];
}

/** A preprocess for a new backbone: its input size and layout, ImageNet's mean and std, centre crop. */
export function suggestPreprocess(info: BackboneInfo, isDefault: boolean): ImagePreprocess {
  if (isDefault) return DEFAULT_BACKBONE.preprocess;
  const d = info.input.dims;
  const n = (v: unknown, fallback: number) => (typeof v === 'number' && v > 0 ? v : fallback);
  const nhwc = d.length === 3 && typeof d[2] === 'number' && d[2] <= 4 && !(typeof d[0] === 'number' && d[0] <= 4);
  const [c, hh, ww] = nhwc ? [d[2], d[0], d[1]] : [d[0], d[1], d[2]];
  const k = c === 1 ? 1 : 3;
  return { size: [n(hh, 224), n(ww, 224)], channels: k, layout: nhwc ? 'NHWC' : 'NCHW', fit: 'cover', mean: [0.485, 0.456, 0.406].slice(0, k), std: [0.229, 0.224, 0.225].slice(0, k) };
}

/** The preprocessed images of every class, in class order, as one batch with class ids. */
export function trainingImages(classes: readonly StudioClass[], images: readonly { classId: string; input?: Float32Array }[]): { x: Float32Array; labels: Int32Array } {
  if (classes.length < 2) throw new Error('add a second class: a classifier needs at least two');
  const byClass = classes.map((c) => images.filter((i) => i.classId === c.id));
  const empty = byClass.findIndex((list) => list.length === 0);
  if (empty >= 0) throw new Error(`class '${classes[empty]!.name}' has no images yet`);
  const all = byClass.flat();
  if (all.some((i) => !i.input)) throw new Error('some images are not ready or could not be read (see the notes); wait, or remove them');
  return { x: stack(all.map((i) => i.input!)), labels: Int32Array.from(byClass.flatMap((list, c) => list.map(() => c))) };
}

/** A short fingerprint (two FNV-1a style hashes) of a string. */
export function fingerprint(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    a = Math.imul(a ^ text.charCodeAt(i), 0x01000193) >>> 0;
    b = Math.imul(b ^ text.charCodeAt(i), 0x5bd1e995) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}
