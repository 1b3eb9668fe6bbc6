import { closeSync, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ExternalDataError } from './errors.js';
import { elementByteSize, sizeOf, tensorToValue } from './tensor.js';
import { DataType, type GraphProto, type ModelProto, type TensorProto } from './types.js';

/** Calls `visit` on every tensor of a model: initializers, sparse initializers and tensor attributes, subgraphs included. */
export function forEachTensor(model: ModelProto, visit: (t: TensorProto) => void): void {
  const walk = (g: GraphProto) => {
    g.initializer.forEach(visit);
    for (const s of g.sparseInitializer) for (const t of [s.values, s.indices]) if (t) visit(t);
    for (const n of g.node) {
      for (const a of n.attribute) {
        if (a.t) visit(a.t);
        a.tensors.forEach(visit);
        for (const sub of [a.g, ...a.graphs]) if (sub) walk(sub);
      }
    }
  };
  walk(model.graph);
}

const entry = (t: TensorProto, key: string) => t.externalData.find((e) => e.key === key)?.value;
const escapes = (rel: string) => rel === '..' || rel.startsWith('..' + sep) || isAbsolute(rel);

/** Checks an external-data location and returns its real path inside `folder`. */
function safePath(tensor: string, location: string, folder: string): string {
  if (!location) throw new ExternalDataError(tensor, location, "the tensor has no 'location' entry; re-export the model with its external data");
  if (isAbsolute(location) || /^[a-zA-Z]:[\\/]/.test(location) || location.startsWith('\\')) {
    throw new ExternalDataError(tensor, location, 'absolute locations are refused; external data must be a file next to the model, named relative to its folder');
  }
  const target = resolve(folder, location);
  if (escapes(relative(folder, target))) {
    throw new ExternalDataError(tensor, location, `the location leaves the model's folder '${folder}'; keep external data files inside it`);
  }
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    throw new ExternalDataError(tensor, location, `file '${target}' does not exist; copy the model together with its data file(s)`);
  }
  if (escapes(relative(realpathSync(folder), real))) {
    throw new ExternalDataError(tensor, location, `it is a symlink resolving to '${real}', outside the model's folder; copy the data file into the folder instead`);
  }
  return real;
}

/**
 * Replaces every external-data reference of `model` (TensorProto.data_location = EXTERNAL) by the
 * bytes read from files relative to `folder`, in place. Absolute locations, `..` escapes and
 * symlinks resolving outside the folder are refused with {@link ExternalDataError}.
 */
export function resolveExternalData(model: ModelProto, folder: string): void {
  const files = new Map<string, number>();
  try {
    forEachTensor(model, (t) => {
      if (t.dataLocation !== 1) return;
      const name = t.name ?? '';
      const location = entry(t, 'location') ?? '';
      const path = safePath(name, location, folder);
      let fd = files.get(path);
      if (fd === undefined) files.set(path, (fd = openSync(path, 'r')));
      const size = fstatSync(fd).size;
      const offset = Number(entry(t, 'offset') ?? 0);
      const length = entry(t, 'length') !== undefined ? Number(entry(t, 'length')) : size - offset;
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
        throw new ExternalDataError(name, location, `offset ${offset} + length ${length} does not fit in the ${size}-byte file (truncated or wrong file?)`);
      }
      const per = elementByteSize(t.dataType);
      const expected = per === undefined ? undefined : per * sizeOf(t.dims.map(Number));
      if (expected !== undefined && expected !== length) {
        throw new ExternalDataError(name, location, `expected ${expected} bytes for dims [${t.dims.join(', ')}] of type ${DataType[t.dataType]}, the reference says ${length}`);
      }
      const bytes = new Uint8Array(length);
      readSync(fd, bytes, 0, length, offset);
      t.rawData = bytes;
      t.dataLocation = undefined;
      t.externalData = [];
    });
  } finally {
    for (const fd of files.values()) closeSync(fd);
  }
}

/** A tensor's bytes in little-endian raw form (undefined for strings or unresolved external data). */
function rawBytes(t: TensorProto): Uint8Array | undefined {
  if (t.dataType === DataType.STRING || t.dataLocation === 1) return undefined;
  if (t.rawData && t.rawData.byteLength > 0) return t.rawData;
  const v = tensorToValue(t);
  return new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength);
}

/**
 * Moves initializers of at least `threshold` bytes out of `model` (in place) into one data blob
 * referenced as `location`; returns the blob and the names moved. Offsets are 64-byte aligned.
 */
export function externalizeTensors(model: ModelProto, threshold: number, location: string): { data: Uint8Array; moved: string[] } {
  const chunks: { offset: number; bytes: Uint8Array }[] = [];
  const moved: string[] = [];
  let end = 0;
  const walk = (g: GraphProto) => {
    for (const t of g.initializer) {
      if (t.dataLocation === 1) throw new ExternalDataError(t.name ?? '', entry(t, 'location') ?? '', 'the tensor still refers to external data; load the model with loadModel(path) before saving it elsewhere');
      const bytes = rawBytes(t);
      if (!bytes || bytes.byteLength < threshold) continue;
      const offset = Math.ceil(end / 64) * 64;
      chunks.push({ offset, bytes });
      end = offset + bytes.byteLength;
      moved.push(t.name ?? '');
      Object.assign(t, { rawData: undefined, floatData: [], int32Data: [], int64Data: [], doubleData: [], uint64Data: [], dataLocation: 1 });
      t.externalData = [
        { key: 'location', value: location },
        { key: 'offset', value: String(offset) },
        { key: 'length', value: String(bytes.byteLength) },
      ];
    }
    for (const n of g.node) for (const a of n.attribute) for (const sub of [a.g, ...a.graphs]) if (sub) walk(sub);
  };
  walk(model.graph);
  const data = new Uint8Array(end);
  for (const c of chunks) data.set(c.bytes, c.offset);
  return { data, moved };
}
