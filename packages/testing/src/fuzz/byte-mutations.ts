import type { Mutant } from './mutant.js';
import type { FuzzRandom } from './random.js';

// Mutations of binary files (.onnx, .npy, .safetensors): cuts, bit flips, byte edits, integer
// field edits and chunk edits, all seeded.

/**
 * The file cut at each boundary given (and one byte either side), plus the empty file; cuts at or
 * past the end are left out. A truncated file must never parse as a shorter valid one silently:
 * callers mark these `expect: 'error'` when every byte of their format matters.
 * @example truncations(bytes, [8, 16, bytes.length - 1]);
 */
export function truncations(bytes: Uint8Array, boundaries: readonly number[], expect?: 'error'): Mutant<Uint8Array>[] {
  const cuts = new Set<number>([0]);
  for (const b of boundaries) for (const c of [b - 1, b, b + 1]) if (c >= 0 && c < bytes.length) cuts.add(c);
  return [...cuts].sort((a, b) => a - b).map((c) => ({ name: `truncated to ${c} of ${bytes.length} bytes`, input: bytes.slice(0, c), expect }));
}

/** Evenly spread cut points: `count` boundaries across [0, length). */
export function evenBoundaries(length: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.floor((i * length) / count));
}

/** `count` copies of the file with one bit flipped, at seeded positions within [start, end). */
export function bitFlips(bytes: Uint8Array, count: number, rng: FuzzRandom, range: [number, number] = [0, bytes.length]): Mutant<Uint8Array>[] {
  const [start, end] = range;
  return Array.from({ length: count }, () => {
    const at = start + rng.int(Math.max(1, end - start));
    const bit = rng.int(8);
    const out = bytes.slice();
    out[at] = out[at]! ^ (1 << bit);
    return { name: `bit ${bit} of byte ${at} flipped`, input: out };
  });
}

const INTERESTING_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x01, 0x20, 0x0a, 0x22, 0x27, 0x2c, 0x7b, 0x7d, 0x28, 0x29, 0x2d];

/** `count` copies with one byte replaced by a byte that often matters to parsers (0, 0xff, quotes, braces, '-'...). */
export function byteEdits(bytes: Uint8Array, count: number, rng: FuzzRandom, range: [number, number] = [0, bytes.length]): Mutant<Uint8Array>[] {
  const [start, end] = range;
  return Array.from({ length: count }, () => {
    const at = start + rng.int(Math.max(1, end - start));
    const value = rng.pick(INTERESTING_BYTES);
    const out = bytes.slice();
    out[at] = value;
    return { name: `byte ${at} set to 0x${value.toString(16)}`, input: out };
  });
}

/** Values an unsigned little-endian length or count field is set to: empty, off by one, its maximum, and past the file. */
function fieldValues(width: 2 | 4 | 8, current: bigint, fileLength: number): bigint[] {
  const max = (1n << BigInt(8 * width)) - 1n;
  const candidates = [0n, 1n, current - 1n, current + 1n, current * 2n, BigInt(fileLength), BigInt(fileLength) * 4n, max, max >> 1n, (max >> 1n) + 1n];
  return [...new Set(candidates.filter((v) => v >= 0n && v <= max && v !== current))];
}

/**
 * Copies with the unsigned little-endian integer field at `offset` (2, 4 or 8 bytes) set to
 * values that break naive readers: 0, +-1, doubled, the file length, the type's maximum and the
 * sign bit (a "negative" length).
 * @example integerFieldEdits(bytes, 0, 8, 'header length'); // safetensors
 */
export function integerFieldEdits(bytes: Uint8Array, offset: number, width: 2 | 4 | 8, field: string): Mutant<Uint8Array>[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const current = width === 2 ? BigInt(view.getUint16(offset, true)) : width === 4 ? BigInt(view.getUint32(offset, true)) : view.getBigUint64(offset, true);
  return fieldValues(width, current, bytes.length).map((v) => {
    const out = bytes.slice();
    const w = new DataView(out.buffer);
    if (width === 2) w.setUint16(offset, Number(v), true);
    else if (width === 4) w.setUint32(offset, Number(v), true);
    else w.setBigUint64(offset, v, true);
    return { name: `${field} set to ${v} (was ${current})`, input: out };
  });
}

/** `count` copies with a seeded chunk deleted, duplicated or filled with zeros. */
export function chunkEdits(bytes: Uint8Array, count: number, rng: FuzzRandom): Mutant<Uint8Array>[] {
  return Array.from({ length: count }, () => {
    const at = rng.int(bytes.length);
    const len = 1 + rng.int(Math.min(64, bytes.length - at));
    const kind = rng.pick(['deleted', 'duplicated', 'zeroed'] as const);
    const chunk = bytes.subarray(at, at + len);
    const out =
      kind === 'deleted'
        ? concat(bytes.subarray(0, at), bytes.subarray(at + len))
        : kind === 'duplicated'
          ? concat(bytes.subarray(0, at + len), chunk, bytes.subarray(at + len))
          : concat(bytes.subarray(0, at), new Uint8Array(len), bytes.subarray(at + len));
    return { name: `${len} bytes at ${at} ${kind}`, input: out };
  });
}

/** The file with bytes appended (trailing garbage after a complete file). */
export function appended(bytes: Uint8Array, extra: Uint8Array | number[], expect?: 'error'): Mutant<Uint8Array> {
  return { name: `${extra.length} bytes appended`, input: concat(bytes, Uint8Array.from(extra)), expect };
}

/** Byte arrays joined. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
