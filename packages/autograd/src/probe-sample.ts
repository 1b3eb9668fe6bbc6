import type { TensorValue } from '@anneal/onnx';

/** Examples the shape probe runs on: 2 keeps the batch axis distinguishable from broadcast axes of size 1. */
export const PROBE_ROWS = 2;

/**
 * The first `rows` examples of a batch-major sample (every tensor's first dim equal to `batch`),
 * as views without copies; undefined when the sample is not batch-major or already that small.
 * Probing shapes on it instead of the whole batch keeps compile memory (the probe fetches every
 * intermediate tensor) independent of the batch size.
 *
 * @example headRows({ x: x16, labels: y16 }, 16, 2); // { x: first 2 rows of x, labels: first 2 labels }
 */
export function headRows(sample: Readonly<Record<string, TensorValue>>, batch: number, rows = PROBE_ROWS): Record<string, TensorValue> | undefined {
  if (batch <= rows) return undefined;
  const out: Record<string, TensorValue> = {};
  for (const [name, v] of Object.entries(sample)) {
    if (v.dims[0] !== batch) return undefined;
    const per = v.dims.slice(1).reduce((a, d) => a * d, 1);
    out[name] = { ...v, dims: [rows, ...v.dims.slice(1)], data: v.data.subarray(0, rows * per) } as TensorValue;
  }
  return out;
}
