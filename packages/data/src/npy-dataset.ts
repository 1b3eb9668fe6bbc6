import { readNpy } from './npy.js';
import { checkDataset } from './from-arrays.js';
import type { ArrayDataset } from './array-dataset.js';

/**
 * A dataset from two .npy files: features x [N, ...] and targets y [N, ...], checked like
 * `tensorDataset` (errors name the files).
 * @example const ds = loadNpyDataset({ x: 'data/x.npy', y: 'data/y.npy' });
 */
export function loadNpyDataset(paths: { x: string; y: string }): ArrayDataset {
  const x = readNpy(paths.x);
  const y = readNpy(paths.y);
  checkDataset(x, y, { where: `${paths.x} + ${paths.y}`, x: paths.x, y: paths.y });
  return { x, y };
}
