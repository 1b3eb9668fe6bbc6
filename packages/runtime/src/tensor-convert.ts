import { Tensor } from 'onnxruntime-common';
import { DataType, sizeOf, type TensorValue, type TypedArray } from '@anneal/onnx';
import { TensorMismatchError, UnsupportedDtypeError } from './errors.js';

/** An ONNX Runtime tensor (the common type shared by onnxruntime-node and onnxruntime-web). */
export type OrtTensor = Tensor;

type TypedArrayConstructor = { new (length: number): TypedArray; readonly name: string };

interface DtypeMapping {
  ort: Tensor.Type;
  array: TypedArrayConstructor;
}

const mappings: ReadonlyMap<DataType, DtypeMapping> = new Map<DataType, DtypeMapping>([
  [DataType.FLOAT, { ort: 'float32', array: Float32Array }],
  [DataType.DOUBLE, { ort: 'float64', array: Float64Array }],
  [DataType.INT64, { ort: 'int64', array: BigInt64Array }],
  [DataType.INT32, { ort: 'int32', array: Int32Array }],
  [DataType.BOOL, { ort: 'bool', array: Uint8Array }],
  [DataType.UINT8, { ort: 'uint8', array: Uint8Array }],
  [DataType.INT8, { ort: 'int8', array: Int8Array }],
  [DataType.INT16, { ort: 'int16', array: Int16Array }],
  [DataType.UINT16, { ort: 'uint16', array: Uint16Array }],
  [DataType.FLOAT16, { ort: 'float16', array: Uint16Array }],
]);

const byOrtType = new Map<string, DataType>([...mappings].map(([dt, m]) => [m.ort, dt]));

const supportedNames = [...mappings.keys()].map((d) => DataType[d]);

/**
 * The ORT element type name of an ONNX data type.
 * @example ortTypeOf(DataType.FLOAT); // 'float32'
 */
export function ortTypeOf(dataType: DataType, where = 'a tensor'): Tensor.Type {
  const m = mappings.get(dataType);
  if (!m) throw new UnsupportedDtypeError(DataType[dataType] ?? String(dataType), where, supportedNames);
  return m.ort;
}

/**
 * The ONNX data type of an ORT element type name.
 * @example dataTypeOf('int64'); // DataType.INT64
 */
export function dataTypeOf(ortType: string, where = 'a tensor'): DataType {
  const dt = byOrtType.get(ortType);
  if (dt === undefined) throw new UnsupportedDtypeError(ortType, where, [...byOrtType.keys()]);
  return dt;
}

/**
 * Whether a value is an Anneal {@link TensorValue} (as opposed to an ORT tensor).
 * @example const t = isTensorValue(v) ? toOrtTensor(v) : v;
 */
export function isTensorValue(v: TensorValue | OrtTensor): v is TensorValue {
  return typeof (v as TensorValue).dataType === 'number';
}

/**
 * Wraps a {@link TensorValue} as an ORT tensor without copying: the ORT tensor views the same
 * typed array, so later writes to `value.data` are visible to it.
 *
 * @example
 * const t = toOrtTensor({ dataType: DataType.FLOAT, dims: [2], data: new Float32Array([1, 2]) });
 * t.type; // 'float32'
 */
export function toOrtTensor(value: TensorValue, name = 'tensor'): OrtTensor {
  const where = `tensor '${name}'`;
  const m = mappings.get(value.dataType);
  if (!m) throw new UnsupportedDtypeError(DataType[value.dataType] ?? String(value.dataType), where, supportedNames);
  if (!(value.data instanceof m.array)) {
    throw new TensorMismatchError(
      `${where} is declared ${DataType[value.dataType]} but its data is a ${value.data.constructor.name}; ${DataType[value.dataType]} needs a ${m.array.name}.`,
    );
  }
  const n = sizeOf(value.dims);
  if (value.data.length !== n) {
    throw new TensorMismatchError(`${where} has shape [${value.dims.join(', ')}] (${n} elements) but ${value.data.length} data elements.`);
  }
  // The Tensor constructor overloads are keyed by literal type names; the mapping table guarantees the pairing.
  return new Tensor(m.ort as 'float32', value.data as Float32Array, [...value.dims]);
}

/**
 * Reads a CPU-located ORT tensor as a {@link TensorValue} without copying (the value views the
 * tensor's typed array). For tensors on a GPU, use `await tensor.getData()` first (see
 * {@link fromOrtTensorAsync}).
 *
 * @example
 * const v = fromOrtTensor(outputs.logits); // { dataType: DataType.FLOAT, dims: [1, 10], data: Float32Array }
 */
export function fromOrtTensor(tensor: OrtTensor, name = 'tensor'): TensorValue {
  if (tensor.location !== 'cpu' && tensor.location !== 'cpu-pinned') {
    throw new TensorMismatchError(`tensor '${name}' lives on '${tensor.location}', not in JS memory; use fromOrtTensorAsync to download it.`);
  }
  return { dataType: dataTypeOf(tensor.type, `tensor '${name}'`), dims: [...tensor.dims], data: tensor.data as TypedArray };
}

/**
 * Like {@link fromOrtTensor}, but downloads GPU-located tensors first.
 * @example const loss = await fromOrtTensorAsync(outputs.loss, 'loss');
 */
export async function fromOrtTensorAsync(tensor: OrtTensor, name = 'tensor'): Promise<TensorValue> {
  if (tensor.location === 'cpu' || tensor.location === 'cpu-pinned') return fromOrtTensor(tensor, name);
  const data = (await tensor.getData()) as TypedArray;
  return { dataType: dataTypeOf(tensor.type, `tensor '${name}'`), dims: [...tensor.dims], data };
}
