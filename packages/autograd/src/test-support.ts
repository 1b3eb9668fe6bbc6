// Helpers for this package's specs only (not exported from index.ts).
import * as ort from 'onnxruntime-node';
import { DataType, encodeModel, type Executor, type ModelProto, type TensorValue, type TypedArray } from '@anneal/onnx';

const toOrtType: Partial<Record<DataType, ort.Tensor.Type>> = {
  [DataType.FLOAT]: 'float32',
  [DataType.DOUBLE]: 'float64',
  [DataType.INT64]: 'int64',
  [DataType.INT32]: 'int32',
  [DataType.BOOL]: 'bool',
  [DataType.UINT8]: 'uint8',
};
const fromOrtType: Record<string, DataType> = { float32: DataType.FLOAT, float64: DataType.DOUBLE, int64: DataType.INT64, int32: DataType.INT32, bool: DataType.BOOL, uint8: DataType.UINT8, int8: DataType.INT8 };

/** A plain onnxruntime-node executor with a per-model session cache, for tests. */
export function nodeExecutor(): Executor {
  const cache = new WeakMap<ModelProto, Promise<ort.InferenceSession>>();
  return {
    async run(model, feeds, outputs) {
      let s = cache.get(model);
      if (!s) {
        s = ort.InferenceSession.create(encodeModel(model), { intraOpNumThreads: 2, graphOptimizationLevel: 'all' });
        cache.set(model, s);
      }
      const session = await s;
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor(toOrtType[v.dataType]!, v.data as never, v.dims);
      const res = outputs ? await session.run(ortFeeds, [...outputs]) : await session.run(ortFeeds);
      const out: Record<string, TensorValue> = {};
      for (const [k, t] of Object.entries(res)) out[k] = { dataType: fromOrtType[t.type] ?? DataType.UNDEFINED, dims: [...t.dims], data: t.data as TypedArray };
      return out;
    },
  };
}

export const f32 = (dims: number[], data: ArrayLike<number>): TensorValue => ({ dataType: DataType.FLOAT, dims, data: Float32Array.from(data) });
export const i64 = (dims: number[], data: ArrayLike<number>): TensorValue => ({ dataType: DataType.INT64, dims, data: BigInt64Array.from(Array.from(data), (x) => BigInt(x)) });
