// The protobuf messages of an event file, written from tensorboard/compat/proto/event.proto and
// summary.proto (proto3): Event { double wall_time = 1; int64 step = 2; oneof what { string
// file_version = 3; Summary summary = 5; SessionLog session_log = 7; ... } }, Summary { repeated
// Value value = 1; }, Value { string tag = 1; oneof value { float simple_value = 2; ... } },
// SessionLog { SessionStatus status = 1; string checkpoint_path = 2; string msg = 3; }.
//
// protobufjs's Writer and Reader do the wire format (varints, int64, doubles, nested lengths);
// the fields are written by hand because proto3 omits a scalar at its default value (a step 0, a
// wall time 0, an empty tag) while a oneof member (simple_value 0) is always written, which is
// what Python's protobuf does: tensorboardX's files and ours are then the same bytes.
import protobuf from 'protobufjs/minimal.js';
import { TensorBoardError } from './errors.js';

/** One value of a summary: a scalar (`simpleValue`); values of other kinds (images, histograms, tensors) are read with their tag only. */
export interface SummaryValue {
  readonly tag: string;
  /** The scalar, as stored: a float32. */
  readonly simpleValue?: number;
}

/** Status of a `SessionLog` event. `start` after a restart makes TensorBoard drop the steps >= the event's step read so far. */
export type SessionStatus = 'unspecified' | 'start' | 'stop' | 'checkpoint';

/** A SessionLog event's payload. */
export interface SessionLog {
  readonly status: SessionStatus;
  readonly checkpointPath?: string;
  readonly msg?: string;
}

/**
 * One record of an event file. An event carries one of `fileVersion` (the first record of a
 * file: `brain.Event:2`), `summary` (values) or `sessionLog`; events of other kinds (graphs, run
 * metadata) are read with their time and step only.
 */
export interface TensorBoardEvent {
  /** Seconds since the Unix epoch. */
  readonly wallTime: number;
  readonly step: number;
  readonly fileVersion?: string;
  readonly summary?: readonly SummaryValue[];
  readonly sessionLog?: SessionLog;
}

const STATUSES: readonly SessionStatus[] = ['unspecified', 'start', 'stop', 'checkpoint'];

// field tags: (number << 3) | wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32)
const EVENT_WALL_TIME = (1 << 3) | 1;
const EVENT_STEP = (2 << 3) | 0;
const EVENT_FILE_VERSION = (3 << 3) | 2;
const EVENT_SUMMARY = (5 << 3) | 2;
const EVENT_SESSION_LOG = (7 << 3) | 2;
const SUMMARY_VALUE = (1 << 3) | 2;
const VALUE_TAG = (1 << 3) | 2;
const VALUE_SIMPLE = (2 << 3) | 5;
const LOG_STATUS = (1 << 3) | 0;
const LOG_CHECKPOINT_PATH = (2 << 3) | 2;
const LOG_MSG = (3 << 3) | 2;

/**
 * The protobuf bytes of an Event (without the TFRecord frame).
 *
 * @example
 * encodeEvent({ wallTime: 1700000000.5, step: 10, summary: [{ tag: 'train/loss', simpleValue: 0.25 }] });
 */
export function encodeEvent(event: TensorBoardEvent): Uint8Array {
  const w = protobuf.Writer.create();
  if (event.wallTime !== 0 || Object.is(event.wallTime, -0)) w.uint32(EVENT_WALL_TIME).double(event.wallTime);
  if (event.step !== 0) w.uint32(EVENT_STEP).int64(event.step);
  if (event.fileVersion !== undefined) w.uint32(EVENT_FILE_VERSION).string(event.fileVersion);
  if (event.summary !== undefined) {
    w.uint32(EVENT_SUMMARY).fork();
    for (const v of event.summary) {
      w.uint32(SUMMARY_VALUE).fork();
      if (v.tag) w.uint32(VALUE_TAG).string(v.tag);
      if (v.simpleValue !== undefined) w.uint32(VALUE_SIMPLE).float(v.simpleValue);
      w.ldelim();
    }
    w.ldelim();
  }
  if (event.sessionLog !== undefined) {
    const s = event.sessionLog;
    w.uint32(EVENT_SESSION_LOG).fork();
    const status = STATUSES.indexOf(s.status);
    if (status > 0) w.uint32(LOG_STATUS).int32(status);
    if (s.checkpointPath) w.uint32(LOG_CHECKPOINT_PATH).string(s.checkpointPath);
    if (s.msg) w.uint32(LOG_MSG).string(s.msg);
    w.ldelim();
  }
  return w.finish();
}

const toNumber = (v: protobuf.Long | number): number => (typeof v === 'number' ? v : protobuf.util.LongBits.from(v).toNumber(false));

function decodeValue(r: protobuf.Reader, end: number): SummaryValue {
  let tag = '';
  let simpleValue: number | undefined;
  while (r.pos < end) {
    const key = r.uint32();
    if (key === VALUE_TAG) tag = r.string();
    else if (key === VALUE_SIMPLE) simpleValue = r.float();
    else r.skipType(key & 7);
  }
  return simpleValue === undefined ? { tag } : { tag, simpleValue };
}

function decodeSessionLog(r: protobuf.Reader, end: number): SessionLog {
  let status: SessionStatus = 'unspecified';
  let checkpointPath: string | undefined;
  let msg: string | undefined;
  while (r.pos < end) {
    const key = r.uint32();
    if (key === LOG_STATUS) status = STATUSES[r.int32()] ?? 'unspecified';
    else if (key === LOG_CHECKPOINT_PATH) checkpointPath = r.string();
    else if (key === LOG_MSG) msg = r.string();
    else r.skipType(key & 7);
  }
  return { status, ...(checkpointPath !== undefined ? { checkpointPath } : {}), ...(msg !== undefined ? { msg } : {}) };
}

/**
 * Decodes an Event's protobuf bytes; fields of other kinds are skipped. `where` names the source
 * in the {@link TensorBoardError} thrown for bytes that are not an Event.
 *
 * @example
 * const event = decodeEvent(readRecords(bytes).records[1]!);
 */
export function decodeEvent(bytes: Uint8Array, where = 'event'): TensorBoardEvent {
  try {
    const r = protobuf.Reader.create(bytes);
    let wallTime = 0;
    let step = 0;
    let fileVersion: string | undefined;
    let summary: SummaryValue[] | undefined;
    let sessionLog: SessionLog | undefined;
    while (r.pos < r.len) {
      const key = r.uint32();
      if (key === EVENT_WALL_TIME) wallTime = r.double();
      else if (key === EVENT_STEP) step = toNumber(r.int64());
      else if (key === EVENT_FILE_VERSION) fileVersion = r.string();
      else if (key === EVENT_SUMMARY) {
        const end = r.uint32() + r.pos;
        summary ??= [];
        while (r.pos < end) {
          const key2 = r.uint32();
          if (key2 === SUMMARY_VALUE) {
            const valueEnd = r.uint32() + r.pos;
            summary.push(decodeValue(r, valueEnd));
          } else r.skipType(key2 & 7);
        }
      } else if (key === EVENT_SESSION_LOG) {
        const end = r.uint32() + r.pos;
        sessionLog = decodeSessionLog(r, end);
      } else r.skipType(key & 7);
    }
    return { wallTime, step, ...(fileVersion !== undefined ? { fileVersion } : {}), ...(summary ? { summary } : {}), ...(sessionLog ? { sessionLog } : {}) };
  } catch (e) {
    throw new TensorBoardError('BAD_EVENT', where, `not an Event protobuf (${(e as Error).message})`);
  }
}
