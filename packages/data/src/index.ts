export { DataError } from './errors';
export { parseNpy, readNpy, formatNpy, writeNpy } from './npy';
export { seededRandom, permutation } from './random';
export { batches, splitDataset, subset, datasetSize, int64Labels, type ArrayDataset } from './array-dataset';
export { loadMnist } from './mnist';
