import { classCounts, int64Labels, splitTrainValTest, type ArrayDataset } from '@anneal/data';
import { DataType } from '@anneal/onnx';

/** Preprocessed images and their class ids, as the page sends them. */
export interface StudioImages {
  /** N examples of `dims` each, float32, batch first. */
  x: Float32Array;
  /** Per-example dims (e.g. [3, 48, 192]). */
  dims: readonly number[];
  labels: ArrayLike<number>;
}

/** Fewest images per class for a validation split: with less, every image trains. */
export const MIN_PER_CLASS_FOR_VAL = 5;

/** The images as a dataset (x [N, ...dims] float32, y [N] int64). */
export function toDataset(images: StudioImages): ArrayDataset {
  const n = images.labels.length;
  const size = images.dims.reduce((a, d) => a * d, 1);
  if (images.x.length !== n * size) throw new Error(`${n} labels need ${n * size} input values, got ${images.x.length}`);
  return { x: { dataType: DataType.FLOAT, dims: [n, ...images.dims], data: images.x }, y: int64Labels(Array.from(images.labels)) };
}

/**
 * Train and validation parts: a stratified, seeded split holding out `valFraction` of each class
 * when every class has at least {@link MIN_PER_CLASS_FOR_VAL} images, else everything trains.
 */
export function splitImages(ds: ArrayDataset, classes: number, valFraction: number, seed: number): { train: ArrayDataset; val?: ArrayDataset } {
  const counts = classCounts(ds, classes);
  const empty = counts.findIndex((c) => c === 0);
  if (empty >= 0) throw new Error(`class ${empty + 1} has no images; add some or remove the class`);
  const n = counts.reduce((a, c) => a + c, 0);
  if (n < 2) throw new Error('training needs at least 2 images');
  if (valFraction <= 0 || Math.min(...counts) < MIN_PER_CLASS_FOR_VAL || Math.round(n * valFraction) < classes) return { train: ds };
  const { train, val } = splitTrainValTest(ds, { val: valFraction, seed, stratify: true });
  return { train, val };
}
