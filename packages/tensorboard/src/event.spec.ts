import { describe, expect, it } from 'vitest';
import { crc32c, maskCrc32c } from './crc32c.js';
import { decodeEvent, encodeEvent, type TensorBoardEvent } from './event.js';
import { EventEncoder } from './event-encoder.js';
import { TensorBoardError } from './errors.js';
import { readEvents, scalarSeries } from './read-events.js';
import { frameRecord, readRecords } from './tfrecord.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('event protobuf', () => {
  it('writes proto3 fields: defaults omitted, a oneof simple_value of 0 kept, fields in number order', () => {
    // wall_time 1.5 (field 1, fixed64), step 300 (field 2, varint), summary { value { tag "a" simple_value 0 } }
    expect(hex(encodeEvent({ wallTime: 1.5, step: 300, summary: [{ tag: 'a', simpleValue: 0 }] }))).toBe('09000000000000f83f' + '10ac02' + '2a0a' + '0a08' + '0a0161' + '1500000000');
    expect(hex(encodeEvent({ wallTime: 0, step: 0, fileVersion: 'brain.Event:2' }))).toBe('1a0d' + hex(new TextEncoder().encode('brain.Event:2')));
    expect(hex(encodeEvent({ wallTime: 0, step: 7, sessionLog: { status: 'start' } }))).toBe('1007' + '3a020801');
  });

  it('round-trips events of every kind it writes, int64 steps past 2^32 included', () => {
    const events: TensorBoardEvent[] = [
      { wallTime: 1700000000.123, step: 0, fileVersion: 'brain.Event:2' },
      { wallTime: 1700000001, step: 2 ** 40 + 3, summary: [{ tag: 'train/loss', simpleValue: 0.5 }, { tag: 'lr', simpleValue: -0.25 }] },
      { wallTime: 3, step: 12, sessionLog: { status: 'checkpoint', checkpointPath: 'runs/a/last.safetensors', msg: 'saved' } },
      { wallTime: 4, step: 1, summary: [] },
    ];
    for (const e of events) expect(decodeEvent(encodeEvent(e))).toEqual(e);
  });

  it('stores scalars as float32', () => {
    const [v] = decodeEvent(encodeEvent({ wallTime: 1, step: 1, summary: [{ tag: 'x', simpleValue: 0.1 }] })).summary!;
    expect(v!.simpleValue).toBe(Math.fround(0.1));
  });

  it('skips fields it does not know (source metadata) and throws on bytes that are not an Event', () => {
    const known = encodeEvent({ wallTime: 2, step: 5, summary: [{ tag: 't', simpleValue: 1 }] });
    // Event.source_metadata (field 10, a message) holding one string field
    const extra = Uint8Array.from([0x52, 0x03, 0x0a, 0x01, 0x78]);
    expect(decodeEvent(Uint8Array.from([...known, ...extra]))).toEqual({ wallTime: 2, step: 5, summary: [{ tag: 't', simpleValue: 1 }] });
    expect(() => decodeEvent(Uint8Array.from([0x0a, 0x05, 0x01]), 'f')).toThrow(TensorBoardError);
  });
});

describe('TFRecord frames', () => {
  it('frames data with the length, its masked CRC, the data and its masked CRC', () => {
    const data = new TextEncoder().encode('hello');
    const frame = frameRecord(data);
    const view = new DataView(frame.buffer);
    expect(frame.length).toBe(5 + 16);
    expect(view.getUint32(0, true)).toBe(5);
    expect(view.getUint32(4, true)).toBe(0);
    expect(view.getUint32(8, true)).toBe(maskCrc32c(crc32c(frame.subarray(0, 8))));
    expect(hex(frame.subarray(12, 17))).toBe(hex(data));
    expect(view.getUint32(17, true)).toBe(maskCrc32c(crc32c(data)));
  });

  it('reads frames back, reports a cut-short tail and throws on a flipped bit, naming the byte offset', () => {
    const a = frameRecord(Uint8Array.from([1, 2, 3]));
    const b = frameRecord(Uint8Array.from([4, 5]));
    const both = Uint8Array.from([...a, ...b]);
    expect(readRecords(both).records.map((r) => [...r])).toEqual([[1, 2, 3], [4, 5]]);
    for (const cut of [1, 11, 12, 16, b.length - 1]) {
      const r = readRecords(both.subarray(0, a.length + cut));
      expect(r).toMatchObject({ end: a.length, truncated: true });
      expect(r.records.length).toBe(1);
    }
    const dataFlip = both.slice();
    dataFlip[a.length + 12] ^= 0x10;
    expect(() => readRecords(dataFlip, 'f.tfevents')).toThrow(/f\.tfevents: record at byte 19: the CRC of its 2 data bytes does not match/);
    const lengthFlip = both.slice();
    lengthFlip[0] ^= 0x01;
    expect(() => readRecords(lengthFlip, 'f.tfevents')).toThrow(/record at byte 0: the CRC of its length does not match/);
  });
});

describe('EventEncoder and readEvents', () => {
  it('starts with the file version, hands over only new bytes, and reads back what it wrote', () => {
    const encoder = new EventEncoder(100.5);
    encoder.scalars({ 'train/loss': 2, lr: 0.1 }, 1, 101);
    const first = encoder.take();
    expect(encoder.pending).toBe(0);
    encoder.sessionStart(5, 102).scalar('train/loss', 1, 5, 103);
    const second = encoder.take();
    expect(encoder.take().length).toBe(0);
    const events = readEvents(Uint8Array.from([...first, ...second]));
    expect(events[0]).toEqual({ wallTime: 100.5, step: 0, fileVersion: 'brain.Event:2' });
    expect(events[3]).toEqual({ wallTime: 102, step: 5, sessionLog: { status: 'start' } });
    expect(scalarSeries(events)).toEqual({
      'train/loss': [
        { step: 1, value: 2, wallTime: 101 },
        { step: 5, value: 1, wallTime: 103 },
      ],
      lr: [{ step: 1, value: Math.fround(0.1), wallTime: 101 }],
    });
    expect(() => readEvents(first.subarray(0, first.length - 1), 'x')).toThrow(/x: the record at byte \d+ is cut short/);
  });
});
