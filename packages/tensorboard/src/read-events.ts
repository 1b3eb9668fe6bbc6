import { decodeEvent, type TensorBoardEvent } from './event.js';
import { TensorBoardError } from './errors.js';
import { readRecords } from './tfrecord.js';

/**
 * The events of an event file's bytes, checking both CRCs of every record. Throws a
 * {@link TensorBoardError} on a CRC mismatch, a record cut short at the end (`TRUNCATED`) or a
 * record that is not an Event; `where` names the source in messages.
 *
 * @example
 * const events = readEvents(new Uint8Array(await (await fetch(url)).arrayBuffer()), url);
 */
export function readEvents(bytes: Uint8Array, where = 'event bytes'): TensorBoardEvent[] {
  const { records, end, truncated } = readRecords(bytes, where);
  if (truncated) throw new TensorBoardError('TRUNCATED', where, `the record at byte ${end} is cut short (${bytes.length - end} bytes of it): its writer stopped mid-write or is still writing`);
  return records.map((r, i) => decodeEvent(r, `${where} (record ${i})`));
}

/** One point of a scalar series. */
export interface ScalarPoint {
  readonly step: number;
  readonly value: number;
  readonly wallTime: number;
}

/**
 * The scalar values of events, by tag, in the order they were written (what TensorBoard plots).
 *
 * @example
 * scalarSeries(readEventFile(path))['train/loss']?.map((p) => p.value);
 */
export function scalarSeries(events: readonly TensorBoardEvent[]): Record<string, ScalarPoint[]> {
  const out: Record<string, ScalarPoint[]> = {};
  for (const e of events) {
    for (const v of e.summary ?? []) {
      if (v.simpleValue !== undefined) (out[v.tag] ??= []).push({ step: e.step, value: v.simpleValue, wallTime: e.wallTime });
    }
  }
  return out;
}
