import { crc32c, maskCrc32c } from './crc32c.js';
import { TensorBoardError } from './errors.js';

/**
 * One TFRecord frame: the data's length (uint64, little-endian), the masked CRC-32C of those 8
 * bytes, the data, the masked CRC-32C of the data (both CRCs uint32, little-endian).
 *
 * @example
 * const frame = frameRecord(encodeEvent({ wallTime: 1, step: 0, fileVersion: 'brain.Event:2' }));
 */
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + 16);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length >>> 0, true);
  view.setUint32(4, Math.floor(data.length / 2 ** 32), true);
  view.setUint32(8, maskCrc32c(crc32c(out.subarray(0, 8))), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskCrc32c(crc32c(data)), true);
  return out;
}

/** The records of a TFRecord byte string, in order. */
export interface RecordRead {
  /** Each record's data (views into the input). */
  readonly records: Uint8Array[];
  /** Byte offset just past the last whole record. */
  readonly end: number;
  /** Whether bytes after `end` hold the start of a record cut short (a writer stopped mid-write, or is still writing). */
  readonly truncated: boolean;
}

/**
 * Splits TFRecord bytes into records, checking both CRCs of each. A record cut short at the end is
 * reported (`truncated`), not thrown: a live writer or a killed one leaves such a tail. A CRC
 * mismatch throws a {@link TensorBoardError} naming `where` and the byte offset.
 *
 * @example
 * const { records, truncated } = readRecords(bytes, 'events.out.tfevents.1700000000.host');
 */
export function readRecords(bytes: Uint8Array, where = 'event bytes'): RecordRead {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 12) return { records, end: at, truncated: true };
    const length = view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
    const headerCrc = view.getUint32(at + 8, true);
    if (maskCrc32c(crc32c(bytes.subarray(at, at + 8))) !== headerCrc) {
      throw new TensorBoardError('CRC_MISMATCH', where, `record at byte ${at}: the CRC of its length does not match; the file is damaged`);
    }
    if (bytes.length - at - 12 < length + 4) return { records, end: at, truncated: true };
    const data = bytes.subarray(at + 12, at + 12 + length);
    if (maskCrc32c(crc32c(data)) !== view.getUint32(at + 12 + length, true)) {
      throw new TensorBoardError('CRC_MISMATCH', where, `record at byte ${at}: the CRC of its ${length} data bytes does not match; the file is damaged`);
    }
    records.push(data);
    at += length + 16;
  }
  return { records, end: at, truncated: false };
}
