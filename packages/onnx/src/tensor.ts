import { DataType, type TensorProto } from './types.js';
import { OnnxError } from './errors.js';
import { checkTensor } from './check-tensor.js';

/** Typed arrays Anneal moves in and out of TensorProtos. */
export type TypedArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array;

/** A dense tensor value in JS memory. */
export interface TensorValue {
  dataType: DataType;
  dims: number[];
  data: TypedArray;
}

const elementSize: Partial<Record<DataType, number>> = {
  [DataType.FLOAT]: 4,
  [DataType.DOUBLE]: 8,
  [DataType.INT32]: 4,
  [DataType.INT64]: 8,
  [DataType.UINT8]: 1,
  [DataType.INT8]: 1,
  [DataType.BOOL]: 1,
  [DataType.UINT16]: 2,
  [DataType.INT16]: 2,
  [DataType.FLOAT16]: 2,
};

/** Bytes per element of a fixed-size data type (undefined for strings and unknown types). */
export function elementByteSize(dataType: DataType): number | undefined {
  return elementSize[dataType] ?? (dataType === DataType.UINT32 || dataType === DataType.UINT64 || dataType === DataType.BFLOAT16
    ? { [DataType.UINT32]: 4, [DataType.UINT64]: 8, [DataType.BFLOAT16]: 2 }[dataType]
    : undefined);
}

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/**
 * A zero-filled typed array of `n` elements for an ONNX element type.
 * @throws OnnxError for element types without a typed array (strings, complex...).
 * @example const x = zeroData(DataType.FLOAT, 6); // Float32Array(6)
 */
export function zeroData(dataType: DataType, n: number): TypedArray {
  switch (dataType) {
    case DataType.FLOAT:
      return new Float32Array(n);
    case DataType.DOUBLE:
      return new Float64Array(n);
    case DataType.INT32:
      return new Int32Array(n);
    case DataType.INT64:
      return new BigInt64Array(n);
    case DataType.UINT8:
    case DataType.BOOL:
      return new Uint8Array(n);
    case DataType.INT8:
      return new Int8Array(n);
    case DataType.UINT16:
    case DataType.FLOAT16:
      return new Uint16Array(n);
    case DataType.INT16:
      return new Int16Array(n);
    default:
      throw new OnnxError('UNSUPPORTED_DTYPE', `tensor data type ${DataType[dataType] ?? dataType} is not supported`);
  }
}

/**
 * Reads a TensorProto's values (raw_data or the typed repeated fields) into a typed array.
 * External data must have been resolved first (see `loadModel`). The data must hold exactly the
 * elements its dims say ({@link checkTensor}): a short or long tensor is an
 * {@link InvalidTensorError}, never zero-padded or cut.
 */
export function tensorToValue(t: TensorProto): TensorValue {
  if (t.dataLocation === 1 && !t.rawData) {
    throw new OnnxError('EXTERNAL_DATA', `tensor '${t.name}' keeps its data externally; load the model with loadModel(path) so it is resolved`);
  }
  const n = checkTensor(t);
  const dims = t.dims.map(Number);
  const out = zeroData(t.dataType, n);
  if (t.rawData && t.rawData.byteLength > 0) {
    new Uint8Array(out.buffer).set(t.rawData);
    return { dataType: t.dataType, dims, data: out };
  }
  const src: ArrayLike<number> =
    t.dataType === DataType.FLOAT
      ? t.floatData
      : t.dataType === DataType.DOUBLE
        ? t.doubleData
        : t.dataType === DataType.INT64
          ? t.int64Data
          : t.dataType === DataType.UINT64
            ? t.uint64Data
            : t.int32Data;
  if (out instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) out[i] = BigInt(src[i]!);
  } else {
    for (let i = 0; i < n; i++) (out as Float32Array)[i] = Number(src[i]);
  }
  return { dataType: t.dataType, dims, data: out };
}

/** Builds a TensorProto (raw_data) from a typed array. */
export function valueToTensor(name: string, value: TensorValue): TensorProto {
  const size = elementSize[value.dataType] ?? value.data.BYTES_PER_ELEMENT;
  const bytes = new Uint8Array(value.data.buffer, value.data.byteOffset, value.data.length * size);
  return {
    name,
    dims: [...value.dims],
    dataType: value.dataType,
    rawData: new Uint8Array(bytes),
    floatData: [],
    int32Data: [],
    int64Data: [],
    doubleData: [],
    uint64Data: [],
    stringData: [],
    externalData: [],
    metadataProps: [],
  };
}

/** Reads an integer tensor (int32/int64) as plain numbers. */
export function tensorToNumbers(t: TensorProto): number[] {
  const v = tensorToValue(t);
  return Array.from(v.data as ArrayLike<number | bigint>, (x) => Number(x));
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** A JS number as int64, saturating (INT64_MAX read back as a double is 2^63, which would wrap). */
function toInt64(x: number): bigint {
  if (Number.isNaN(x)) return 0n;
  if (x >= 9223372036854775807) return INT64_MAX;
  if (x <= -9223372036854775808) return INT64_MIN;
  return BigInt(Math.trunc(x));
}

/** Convenience constructors of TensorProtos. */
export const tensors = {
  float(name: string, dims: number[], data: ArrayLike<number>): TensorProto {
    return valueToTensor(name, { dataType: DataType.FLOAT, dims, data: Float32Array.from(data) });
  },
  double(name: string, dims: number[], data: ArrayLike<number>): TensorProto {
    return valueToTensor(name, { dataType: DataType.DOUBLE, dims, data: Float64Array.from(data) });
  },
  int64(name: string, dims: number[], data: ArrayLike<number>): TensorProto {
    return valueToTensor(name, {
      dataType: DataType.INT64,
      dims,
      data: BigInt64Array.from(Array.from(data), toInt64),
    });
  },
  int32(name: string, dims: number[], data: ArrayLike<number>): TensorProto {
    return valueToTensor(name, { dataType: DataType.INT32, dims, data: Int32Array.from(data) });
  },
  bool(name: string, dims: number[], data: ArrayLike<boolean | number>): TensorProto {
    return valueToTensor(name, { dataType: DataType.BOOL, dims, data: Uint8Array.from(Array.from(data), (x) => (x ? 1 : 0)) });
  },
};
