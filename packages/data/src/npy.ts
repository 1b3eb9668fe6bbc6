import { readBytes } from '#files';
import { DataType, elementByteSize, sizeOf, writeFileAtomic, type TensorValue, type TypedArray } from '@anneal/onnx';
import { DataError } from './errors.js';
import { readNpyHeader } from './npy-header.js';

// .npy (NumPy format 1.0–3.0): magic, version, header length, a Python-dict header, raw C-order data.
// Written here rather than taken from npm because the packages there only parse, and Anneal also
// writes .npy (gradients, fixtures) and needs typed errors naming the file.

const descrs: Record<string, DataType> = {
  '<f4': DataType.FLOAT,
  '<f8': DataType.DOUBLE,
  '<f2': DataType.FLOAT16,
  '<i8': DataType.INT64,
  '<i4': DataType.INT32,
  '|u1': DataType.UINT8,
  '|i1': DataType.INT8,
  '|b1': DataType.BOOL,
  // the same one-byte types spelled with a byte order (numpy writes '|'; '<' is read too)
  '<u1': DataType.UINT8,
  '<i1': DataType.INT8,
  '<b1': DataType.BOOL,
};

function viewAs(dataType: DataType, bytes: Uint8Array, n: number): TypedArray {
  const width = elementByteSize(dataType)!;
  // copy into a fresh, aligned buffer (Node's Buffer.slice would share the pooled memory)
  const copy = new Uint8Array(n * width);
  copy.set(bytes.subarray(0, n * width));
  switch (dataType) {
    case DataType.FLOAT:
      return new Float32Array(copy.buffer);
    case DataType.DOUBLE:
      return new Float64Array(copy.buffer);
    case DataType.INT64:
      return new BigInt64Array(copy.buffer);
    case DataType.INT32:
      return new Int32Array(copy.buffer);
    case DataType.INT8:
      return new Int8Array(copy.buffer);
    case DataType.FLOAT16:
      return new Uint16Array(copy.buffer); // IEEE half bits, as ONNX tensors hold them
    default:
      return copy;
  }
}

/** The data type of a dtype string, or a DataError saying what to save instead. */
function dataTypeOf(descr: string, file: string): DataType {
  const known = descrs[descr];
  if (known !== undefined) return known;
  const hint = descr.startsWith('>') ? `it is big-endian; save with a.astype('${descr.replace('>', '<')}')` : 'use float32, float64, float16, int64, int32, uint8, int8 or bool (little-endian)';
  throw new DataError(file, `dtype '${descr}' is not supported; ${hint}`);
}

/**
 * Parses .npy bytes (little-endian float32/float64/float16/int64/int32/uint8/int8/bool, C order; float16
 * data is kept as its IEEE half bits in a Uint16Array). The
 * header is checked first ({@link readNpyHeader}: version 1.0/2.0/3.0, dtype, dims >= 0), then
 * the data must be exactly as long as the shape says: shorter (truncated) or longer (trailing
 * bytes) is a DataError naming the file, and nothing is allocated before that check.
 * @example const x = parseNpy(readFileSync('x.npy'), 'x.npy');
 */
export function parseNpy(buf: Uint8Array, file = '<npy>'): TensorValue {
  const header = readNpyHeader(buf, file);
  if (header.fortranOrder) throw new DataError(file, 'Fortran-ordered arrays are not supported; save with numpy.ascontiguousarray(a)');
  const dataType = dataTypeOf(header.descr, file);
  const dims = header.shape;
  const n = sizeOf(dims);
  const width = elementByteSize(dataType)!;
  const body = buf.subarray(header.dataOffset);
  if (!Number.isSafeInteger(n * width) || body.length !== n * width) {
    const what = !Number.isSafeInteger(n * width) || body.length < n * width ? 'truncated' : 'trailing bytes';
    throw new DataError(file, `${what}: the header's shape (${dims.join(', ')}) needs ${n} elements of ${width} bytes (${n * width} bytes) but ${body.length} bytes of data follow`);
  }
  return { dataType, dims, data: viewAs(dataType, body, n) };
}

/** Reads a .npy file. */
export function readNpy(file: string): TensorValue {
  let buf: Uint8Array;
  try {
    buf = readBytes(file);
  } catch (e) {
    throw new DataError(file, `cannot read: ${(e as Error).message}`);
  }
  return parseNpy(buf, file);
}

/** Serializes a tensor as .npy (format 1.0). */
export function formatNpy(value: TensorValue): Uint8Array {
  const descr = Object.entries(descrs).find(([, t]) => t === value.dataType)?.[0];
  if (!descr) throw new DataError('<npy>', `cannot write data type ${DataType[value.dataType]} as .npy`);
  const shape = value.dims.length === 1 ? `(${value.dims[0]},)` : `(${value.dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = new Uint8Array(10 + header.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(head.buffer).setUint16(8, header.length, true);
  head.set(new TextEncoder().encode(header), 10);
  const data = new Uint8Array(value.data.buffer, value.data.byteOffset, value.data.byteLength);
  const out = new Uint8Array(head.length + data.length);
  out.set(head);
  out.set(data, head.length);
  return out;
}

/** Writes a .npy file atomically. */
export function writeNpy(file: string, value: TensorValue): void {
  writeFileAtomic(file, formatNpy(value));
}
