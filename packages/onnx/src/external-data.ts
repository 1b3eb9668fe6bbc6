import { closeSync, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ExternalDataError } from './errors.js';
import { rawDataBytes, tensorElementCount } from './check-tensor.js';
import { externalEntry as entry } from './externalize.js';
import { forEachTensor } from './tensor-walk.js';
import { DataType, type ModelProto, type TensorProto } from './types.js';

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
  if (statSync(real).isDirectory()) throw new ExternalDataError(tensor, location, `'${target}' is a folder, not a data file`);
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
      const expected = rawDataBytes(t.dataType, tensorElementCount(t.dims, name, location));
      if (expected === undefined) throw new ExternalDataError(name, location, `tensors of type ${DataType[t.dataType] ?? t.dataType} cannot keep their data externally`);
      if (expected !== length) {
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
