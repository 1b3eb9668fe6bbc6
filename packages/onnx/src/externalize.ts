import { ExternalDataError } from './errors.js';
import { tensorToValue } from './tensor.js';
import { DataType, type GraphProto, type ModelProto, type TensorProto } from './types.js';

/** The value of an external-data entry of a tensor (`location`, `offset`, `length`). */
export const externalEntry = (t: TensorProto, key: string): string | undefined => t.externalData.find((e) => e.key === key)?.value;

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
      if (t.dataLocation === 1) throw new ExternalDataError(t.name ?? '', externalEntry(t, 'location') ?? '', 'the tensor still refers to external data; load the model with loadModel(path) before saving it elsewhere');
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
