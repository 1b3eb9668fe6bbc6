import { int64Labels, subset, type ArrayDataset } from './array-dataset.js';
import { DataError } from './errors.js';
import { classIds } from './labels.js';
import { permutation } from './random.js';

/**
 * The examples of the given classes, relabelled 0..k-1 in the order given (e.g. MNIST digits
 * 5-9 as a 5-class task). Example order is kept.
 *
 * @example const upper = selectClasses(loadMnist({ image: true }), [5, 6, 7, 8, 9]); // labels 0..4
 */
export function selectClasses(ds: ArrayDataset, classes: readonly number[], where = '<dataset>'): ArrayDataset {
  if (!classes.length || new Set(classes).size !== classes.length) throw new DataError(where, `classes must be a non-empty list without repeats, got [${classes.join(', ')}]`);
  const ids = classIds(ds.y, where);
  const present = new Set(ids);
  const missing = classes.filter((c) => !present.has(c));
  if (missing.length) throw new DataError(where, `classes [${missing.join(', ')}] have no examples; the labels present are [${[...present].sort((a, b) => a - b).join(', ')}]`);
  const map = new Map(classes.map((c, i) => [c, i]));
  const rows = ids.flatMap((c, row) => (map.has(c) ? [row] : []));
  const picked = subset(ds, rows);
  return { x: picked.x, y: int64Labels(rows.map((r) => map.get(ids[r]!)!)) };
}

/**
 * `perClass` examples of every class drawn at random (seeded), in a seeded shuffled order; a
 * class with fewer examples is an error naming it.
 *
 * @example const tenShot = samplePerClass(train, 10, 1); // 10 examples of each class, seed 1
 */
export function samplePerClass(ds: ArrayDataset, perClass: number, seed = 0, where = '<dataset>'): ArrayDataset {
  if (!Number.isInteger(perClass) || perClass < 1) throw new DataError(where, `perClass must be a positive integer, got ${perClass}`);
  const ids = classIds(ds.y, where);
  const order = permutation(ids.length, seed);
  const taken = new Map<number, number>();
  const rows: number[] = [];
  for (const r of order) {
    const c = ids[r]!;
    const k = taken.get(c) ?? 0;
    if (k < perClass) {
      taken.set(c, k + 1);
      rows.push(r);
    }
  }
  const short = [...taken].filter(([, k]) => k < perClass);
  if (short.length) throw new DataError(where, `${short.map(([c, k]) => `class ${c} has only ${k} examples`).join(', ')}; ${perClass} per class were asked for`);
  return subset(ds, rows);
}
