// The MNIST splits of the transfer experiment, all seeded: digits 0-4 for pre-training (with a
// held-out 10%), digits 5-9 relabelled 0-4 as the new task (a fixed, class-balanced test set and
// a pool the few-shot training sets are drawn from), and a 10-digit split for the OCR probe.
import { classIds, DataError, datasetSize, loadMnist, permutation, samplePerClass, selectClasses, splitTrainValTest, subset, type ArrayDataset } from '@anneal/data';

/** The data of the pre-train / transfer experiment. */
export interface TransferData {
  /** Digits 0-4, pre-training rows. */
  pretrainTrain: ArrayDataset;
  /** Digits 0-4, a seeded 10% held out to report pre-training accuracy. */
  pretrainVal: ArrayDataset;
  /** Digits 5-9 as classes 0-4: `testPerClass` examples of each, never trained on. */
  test: ArrayDataset;
  /** Digits 5-9 as classes 0-4: everything not in `test`; training sets are drawn from it. */
  pool: ArrayDataset;
}

/** Split settings (the experiment's defaults in parentheses). */
export interface SplitSettings {
  /** Seed of the pre-training hold-out and of the test/pool split (0). */
  seed: number;
  /** Test examples per new class (300: digit 5 has only 863 images, and 500 per class must stay in the pool). */
  testPerClass: number;
}

/**
 * Splits a labelled dataset per class: `perClass` seeded examples of each class into `picked`,
 * the rest into `rest`; both keep dataset order. (A two-way version of samplePerClass that also
 * returns the complement; candidate for @anneal/data.)
 */
export function splitPerClass(ds: ArrayDataset, perClass: number, seed: number, where = '<dataset>'): { picked: ArrayDataset; rest: ArrayDataset } {
  const ids = classIds(ds.y, where);
  const taken = new Map<number, number>();
  const chosen = new Uint8Array(ids.length);
  for (const row of permutation(ids.length, seed)) {
    const c = ids[row]!;
    const k = taken.get(c) ?? 0;
    if (k < perClass) {
      taken.set(c, k + 1);
      chosen[row] = 1;
    }
  }
  const short = [...taken].filter(([, k]) => k < perClass);
  if (short.length) throw new DataError(where, `${short.map(([c, k]) => `class ${c} has only ${k} examples`).join(', ')}; ${perClass} per class were asked for`);
  const picked: number[] = [];
  const rest: number[] = [];
  chosen.forEach((c, row) => (c ? picked : rest).push(row));
  return { picked: subset(ds, picked), rest: subset(ds, rest) };
}

/** Loads the real MNIST digits ([N, 1, 28, 28] in [0, 1]) and makes the experiment's splits. */
export function transferData(settings: SplitSettings): TransferData {
  const mnist = loadMnist({ image: true });
  const low = selectClasses(mnist, [0, 1, 2, 3, 4], 'MNIST digits 0-4');
  const { train, val } = splitTrainValTest(low, { val: 0.1, seed: settings.seed, stratify: true });
  const high = selectClasses(mnist, [5, 6, 7, 8, 9], 'MNIST digits 5-9');
  const { picked: test, rest: pool } = splitPerClass(high, settings.testPerClass, settings.seed, 'MNIST digits 5-9');
  return { pretrainTrain: train, pretrainVal: val, test, pool };
}

/**
 * `n` examples per class from the pool, seeded. For one seed the draws are nested (the 10 per
 * class are among the 50, which are among the 500), and because samplePerClass looks only at the
 * labels, the same call on features computed row by row from the pool picks the same examples.
 */
export function fewShot(pool: ArrayDataset, n: number, seed: number): ArrayDataset {
  return samplePerClass(pool, n, seed, `pool of digits 5-9 (${n} per class)`);
}

/** All ten digits: `train` and `test` examples per class, disjoint, seeded. */
export function probeData(trainPerClass: number, testPerClass: number, seed: number): { train: ArrayDataset; test: ArrayDataset } {
  const picked = samplePerClass(loadMnist({ image: true }), trainPerClass + testPerClass, seed, 'MNIST (OCR probe)');
  const { train, val } = splitTrainValTest(picked, { val: testPerClass * 10, seed, stratify: true });
  return { train, test: val };
}

/** The same rows as flat pixels [N, 784] (for the pixel-space baseline). */
export function flatPixels(ds: ArrayDataset): ArrayDataset {
  const n = datasetSize(ds);
  return { x: { ...ds.x, dims: [n, ds.x.dims.slice(1).reduce((a, d) => a * d, 1)] }, y: ds.y };
}
