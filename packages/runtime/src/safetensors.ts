import { DataType, sizeOf, type TensorValue, type TypedArray } from '@anneal/onnx';
import { CorruptCheckpointError, TensorMismatchError, UnsupportedDtypeError } from './errors.js';

/** The contents of a safetensors file. */
export interface SafetensorsContents {
  tensors: Record<string, TensorValue>;
  metadata: Record<string, string>;
}

type Ctor = { new (buffer: ArrayBuffer): TypedArray; new (length: number): TypedArray; readonly BYTES_PER_ELEMENT: number };

const dtypes: ReadonlyArray<{ code: string; dataType: DataType; array: Ctor }> = [
  { code: 'F32', dataType: DataType.FLOAT, array: Float32Array },
  { code: 'F64', dataType: DataType.DOUBLE, array: Float64Array },
  { code: 'I64', dataType: DataType.INT64, array: BigInt64Array },
  { code: 'I32', dataType: DataType.INT32, array: Int32Array },
  { code: 'U8', dataType: DataType.UINT8, array: Uint8Array },
  { code: 'BOOL', dataType: DataType.BOOL, array: Uint8Array },
  { code: 'I8', dataType: DataType.INT8, array: Int8Array },
  { code: 'I16', dataType: DataType.INT16, array: Int16Array },
  { code: 'U16', dataType: DataType.UINT16, array: Uint16Array },
  { code: 'F16', dataType: DataType.FLOAT16, array: Uint16Array },
];
const byDataType = new Map(dtypes.map((d) => [d.dataType, d]));
const byCode = new Map(dtypes.map((d) => [d.code, d]));

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const METADATA = '__metadata__';
/** Largest header accepted when reading (the reference implementation's limit is 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

function requireLittleEndianHost(): void {
  if (!littleEndian) throw new UnsupportedDtypeError('big-endian host', 'this machine', ['little-endian hosts']);
}

/**
 * Serializes tensors to safetensors bytes: an 8-byte little-endian header length, a JSON header
 * (padded with spaces to a multiple of 8 bytes) and the raw little-endian data, in the order given.
 * See CHECKPOINT.md.
 *
 * @example
 * const bytes = encodeSafetensors({ w: { dataType: DataType.FLOAT, dims: [2], data: new Float32Array([1, 2]) } }, { step: '3' });
 */
export function encodeSafetensors(tensors: Record<string, TensorValue>, metadata: Record<string, string> = {}): Uint8Array {
  requireLittleEndianHost();
  const header: Record<string, HeaderEntry | Record<string, string>> = {};
  if (Object.keys(metadata).length) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new TensorMismatchError(`checkpoint metadata '${k}' must be a string (got ${typeof v}); convert it with String() or JSON.stringify.`);
    }
    header[METADATA] = { ...metadata };
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, value] of Object.entries(tensors)) {
    if (name === METADATA) throw new TensorMismatchError(`'${METADATA}' is reserved in safetensors files; rename that tensor.`);
    const d = byDataType.get(value.dataType);
    if (!d) throw new UnsupportedDtypeError(DataType[value.dataType] ?? String(value.dataType), `checkpoint tensor '${name}'`, dtypes.map((x) => DataType[x.dataType]));
    const n = sizeOf(value.dims);
    if (!(value.data instanceof d.array) || value.data.length !== n) {
      throw new TensorMismatchError(
        `checkpoint tensor '${name}' (${DataType[value.dataType]}[${value.dims.join(', ')}], ${n} elements) holds ${value.data.length} elements in a ${value.data.constructor.name}; expected a ${d.array.name} of ${n}.`,
      );
    }
    const bytes = new Uint8Array(value.data.buffer, value.data.byteOffset, n * d.array.BYTES_PER_ELEMENT);
    header[name] = { dtype: d.code, shape: [...value.dims], data_offsets: [offset, offset + bytes.byteLength] };
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  const jsonBytesLength = new TextEncoder().encode(json).byteLength;
  json += ' '.repeat((8 - ((8 + jsonBytesLength) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.byteLength;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function isNonNegativeInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/**
 * Parses safetensors bytes; `source` names the file in error messages. Tensor data is copied out
 * of `bytes`. Throws {@link CorruptCheckpointError} (reason truncated / bad-header / offsets-out-of-range).
 *
 * @example
 * const { tensors, metadata } = decodeSafetensors(new Uint8Array(await (await fetch(url)).arrayBuffer()), url);
 */
export function decodeSafetensors(bytes: Uint8Array, source = '<bytes>'): SafetensorsContents {
  requireLittleEndianHost();
  const fail = (reason: 'truncated' | 'bad-header' | 'offsets-out-of-range', detail: string) => new CorruptCheckpointError(source, reason, detail);
  if (bytes.byteLength < 8) throw fail('truncated', `the file has ${bytes.byteLength} bytes, fewer than the 8-byte header length`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) throw fail('bad-header', `the header length field says ${headerLength} bytes (limit ${MAX_HEADER_BYTES})`);
  const dataStart = 8 + Number(headerLength);
  if (dataStart > bytes.byteLength) throw fail('truncated', `the header needs ${headerLength} bytes but only ${bytes.byteLength - 8} follow the length field`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (e) {
    throw fail('bad-header', `the header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw fail('bad-header', 'the header is not a JSON object');
  const dataLength = bytes.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const entries: Array<{ name: string; d: (typeof dtypes)[number]; shape: number[]; begin: number; end: number }> = [];
  for (const [name, raw] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === METADATA) {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail('bad-header', `'${METADATA}' is not an object of strings`);
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== 'string') throw fail('bad-header', `metadata '${k}' is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const e = raw as Partial<HeaderEntry> | null;
    const d = typeof e?.dtype === 'string' ? byCode.get(e.dtype) : undefined;
    if (!e || !d) throw fail('bad-header', `tensor '${name}' has dtype ${JSON.stringify(e?.dtype)}; supported: ${dtypes.map((x) => x.code).join(', ')}`);
    if (!Array.isArray(e.shape) || !e.shape.every(isNonNegativeInt)) throw fail('bad-header', `tensor '${name}' has shape ${JSON.stringify(e.shape)}`);
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(isNonNegativeInt) || offs[0] > offs[1]) {
      throw fail('offsets-out-of-range', `tensor '${name}' has data_offsets ${JSON.stringify(offs)}; expected [begin, end] with 0 <= begin <= end`);
    }
    const expected = sizeOf(e.shape) * d.array.BYTES_PER_ELEMENT;
    if (offs[1] - offs[0] !== expected) {
      throw fail('offsets-out-of-range', `tensor '${name}' (${d.code}[${e.shape.join(', ')}]) needs ${expected} bytes but data_offsets [${offs[0]}, ${offs[1]}] span ${offs[1] - offs[0]}`);
    }
    entries.push({ name, d, shape: e.shape, begin: offs[0], end: offs[1] });
  }
  // A well-formed file covers its data region with contiguous, non-overlapping ranges from 0.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of sorted) {
    if (e.begin !== cursor) throw fail('offsets-out-of-range', `tensor '${e.name}' starts at byte ${e.begin} but the previous tensor ends at ${cursor} (a hole or an overlap)`);
    cursor = e.end;
  }
  if (cursor > dataLength) throw fail('truncated', `the tensors need ${cursor} data bytes but the file holds only ${dataLength}`);
  if (cursor < dataLength) throw fail('offsets-out-of-range', `the file holds ${dataLength} data bytes but the tensors cover only ${cursor}`);
  const tensors: Record<string, TensorValue> = {};
  for (const e of entries) {
    const start = bytes.byteOffset + dataStart + e.begin;
    const data = new e.d.array(bytes.buffer.slice(start, start + (e.end - e.begin)) as ArrayBuffer);
    tensors[e.name] = { dataType: e.d.dataType, dims: e.shape, data };
  }
  return { tensors, metadata };
}
