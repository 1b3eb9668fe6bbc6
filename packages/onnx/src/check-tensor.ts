import { InvalidTensorError } from './errors.js';
import { DataType, type TensorProto } from './types.js';

// The one check of a TensorProto against its declared dims, run before anything is allocated:
// by decodeModel (every tensor of a file), by resolveExternalData and by tensorToValue.

/** Largest data_type code of the ONNX IR this checker knows (FLOAT4E2M1 = 23). */
const MAX_DATA_TYPE = 23;

/** Bytes per element of raw_data for each data type (4-bit types are packed, two per byte). */
const rawWidth: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 14: 8, 15: 16, 16: 2, 17: 1, 18: 1, 19: 1, 20: 1, 21: 0.5, 22: 0.5, 23: 0.5 };

/** Name of a data type code for messages ('FLOAT', or the number when unknown). */
export function dataTypeName(dataType: number | undefined): string {
  return DataType[dataType as DataType] ?? String(dataType);
}

/**
 * Element count of `dims`, checking each is a non-negative integer and the product stays a safe
 * integer (so nothing downstream sizes an array from a negative, fractional or overflowed count).
 * @throws InvalidTensorError naming `tensor` (and `source` when given)
 * @example tensorElementCount([32, 20], 'fc1.weight'); // 640
 */
export function tensorElementCount(dims: readonly number[], tensor: string, source?: string): number {
  let n = 1;
  for (const [axis, d] of dims.entries()) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new InvalidTensorError(source, tensor, `has dims [${dims.join(', ')}]: dim ${axis} is ${d}, not an integer >= 0`);
    }
    n *= d;
    if (!Number.isSafeInteger(n)) throw new InvalidTensorError(source, tensor, `has dims [${dims.join(', ')}], more elements than a tensor can hold`);
  }
  return n;
}

/** Bytes of raw_data that `n` elements of `dataType` take (undefined for strings and unknown types). */
export function rawDataBytes(dataType: DataType, n: number): number | undefined {
  const w = rawWidth[dataType];
  return w === undefined ? undefined : Math.ceil(n * w);
}

/** How many entries of its typed field (float_data, int32_data...) a tensor of `n` elements has, and the field's name. */
function typedField(t: TensorProto, n: number): { name: string; length: number; expected: number } | undefined {
  switch (t.dataType) {
    case DataType.FLOAT:
      return { name: 'float_data', length: t.floatData?.length ?? 0, expected: n };
    case DataType.COMPLEX64:
      return { name: 'float_data', length: t.floatData?.length ?? 0, expected: 2 * n };
    case DataType.DOUBLE:
      return { name: 'double_data', length: t.doubleData?.length ?? 0, expected: n };
    case DataType.COMPLEX128:
      return { name: 'double_data', length: t.doubleData?.length ?? 0, expected: 2 * n };
    case DataType.INT64:
      return { name: 'int64_data', length: t.int64Data?.length ?? 0, expected: n };
    case DataType.UINT32:
    case DataType.UINT64:
      return { name: 'uint64_data', length: t.uint64Data?.length ?? 0, expected: n };
    case DataType.STRING:
      return { name: 'string_data', length: t.stringData?.length ?? 0, expected: n };
    default:
      // int32_data holds INT32, INT16, INT8, UINT16, UINT8, BOOL, FLOAT16, BFLOAT16 and the FLOAT8 types one per entry
      return t.dataType >= 21 ? undefined : { name: 'int32_data', length: t.int32Data?.length ?? 0, expected: n };
  }
}

/**
 * Checks a TensorProto against its declared dims and data type, before anything is allocated:
 * dims are integers >= 0, the data type is known, and its data (raw_data, or the typed field)
 * holds exactly the elements the dims say: never fewer (which would be zero-padded) nor more.
 * Tensors whose data is external are checked for dims only (resolveExternalData checks their
 * length). Returns the element count.
 * @throws InvalidTensorError naming the tensor, the field and `source`
 * @example checkTensor(model.graph.initializer[0], 'net.onnx'); // 640
 */
export function checkTensor(t: TensorProto, source?: string): number {
  const name = t.name || '(unnamed)';
  const dims = t.dims ?? [];
  const n = tensorElementCount(dims, name, source);
  const type = t.dataType as number | undefined;
  if (type === undefined || type === DataType.UNDEFINED) throw new InvalidTensorError(source, name, 'has no data_type');
  if (!Number.isInteger(type) || type < 0 || type > MAX_DATA_TYPE) throw new InvalidTensorError(source, name, `has data_type ${type}, which is not an ONNX tensor type`);
  if (t.dataLocation === 1 && !t.rawData) return n;
  const described = `${dataTypeName(type)} [${dims.join(', ')}]`;
  const raw = t.rawData?.byteLength ?? 0;
  if (raw > 0) {
    const bytes = rawDataBytes(type, n);
    if (bytes === undefined) throw new InvalidTensorError(source, name, `(${described}) has raw_data, which its data type cannot use`);
    if (raw !== bytes) throw new InvalidTensorError(source, name, `(${described}) needs ${bytes} bytes of raw_data but has ${raw} (${raw < bytes ? 'too short' : 'too long'})`);
    return n;
  }
  const field = typedField(t, n);
  if (field && field.length !== field.expected) {
    const what = field.length === 0 ? 'has no data' : `has ${field.length} entries in ${field.name}`;
    throw new InvalidTensorError(source, name, `(${described}) ${what}; its dims need ${field.expected} ${field.name === 'string_data' ? 'strings' : `values in ${field.name} or ${rawDataBytes(type, n)} bytes of raw_data`}`);
  }
  return n;
}
