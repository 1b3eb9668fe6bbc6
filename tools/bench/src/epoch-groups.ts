import { DataType, type TensorValue } from '@anneal/onnx';
import type { StackedBatches } from '@anneal/engine';

/**
 * One epoch's batches in PyTorch's order (no shuffling), grouped: up to `k` consecutive full
 * batches stacked as [k, batch, ...] views of the dataset (no copy), then the final partial batch alone.
 */
export function epochGroups(features: TensorValue, labels: TensorValue, batch: number, k: number, inputName: string): (StackedBatches | Record<string, TensorValue>)[] {
  const n = features.dims[0]!;
  const width = features.dims[1]!;
  const x = features.data as Float32Array;
  const y = labels.data as BigInt64Array;
  const view = (start: number, end: number): Record<string, TensorValue> => ({
    [inputName]: { dataType: DataType.FLOAT, dims: [end - start, width], data: x.subarray(start * width, end * width) },
    labels: { dataType: DataType.INT64, dims: [end - start], data: y.subarray(start, end) },
  });
  const full = Math.floor(n / batch);
  const groups: (StackedBatches | Record<string, TensorValue>)[] = [];
  for (let g = 0; g < full; g += k) {
    const count = Math.min(k, full - g);
    const start = g * batch;
    const end = (g + count) * batch;
    if (k === 1) groups.push(view(start, end));
    else
      groups.push({
        stacked: {
          [inputName]: { dataType: DataType.FLOAT, dims: [count, batch, width], data: x.subarray(start * width, end * width) },
          labels: { dataType: DataType.INT64, dims: [count, batch], data: y.subarray(start, end) },
        },
      });
  }
  if (full * batch < n) groups.push(view(full * batch, n));
  return groups;
}
