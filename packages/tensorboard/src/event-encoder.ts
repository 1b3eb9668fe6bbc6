import { encodeEvent, type TensorBoardEvent } from './event.js';
import { frameRecord } from './tfrecord.js';

/** The `file_version` of the first record of every event file TensorBoard reads. */
export const FILE_VERSION = 'brain.Event:2';

/**
 * Builds the bytes of an event file, record by record, in memory: no file system, so it runs in
 * pages as well as in Node. The first record is the file version event; `take()` hands over the
 * bytes added since the previous `take()` (append them to the file, or collect them for a download).
 *
 * @example
 * const encoder = new EventEncoder(Date.now() / 1000);
 * encoder.scalar('train/loss', 0.52, 1, Date.now() / 1000);
 * const bytes = encoder.take(); // an events.out.tfevents.* file's content so far
 */
export class EventEncoder {
  private chunks: Uint8Array[] = [];
  private size = 0;

  /** Starts the file with its version record, stamped `wallTime` (seconds since the Unix epoch). */
  constructor(wallTime: number) {
    this.event({ wallTime, step: 0, fileVersion: FILE_VERSION });
  }

  /** Adds any event. */
  event(event: TensorBoardEvent): this {
    const frame = frameRecord(encodeEvent(event));
    this.chunks.push(frame);
    this.size += frame.length;
    return this;
  }

  /** Adds one scalar (an event with one summary value, as tensorboardX's `add_scalar` writes it). */
  scalar(tag: string, value: number, step: number, wallTime: number): this {
    return this.event({ wallTime, step, summary: [{ tag, simpleValue: value }] });
  }

  /** Adds one event per tag, in the object's order, all at `step` and `wallTime`. */
  scalars(values: Readonly<Record<string, number>>, step: number, wallTime: number): this {
    for (const [tag, value] of Object.entries(values)) this.scalar(tag, value, step, wallTime);
    return this;
  }

  /**
   * Marks a restart at `step`: TensorBoard drops every value of this folder's run it has read
   * with a step >= `step` (orphans of the crashed process), as tf.summary and torch's
   * `SummaryWriter(purge_step=...)` do.
   */
  sessionStart(step: number, wallTime: number): this {
    return this.event({ wallTime, step, sessionLog: { status: 'start' } });
  }

  /** Bytes waiting to be taken. */
  get pending(): number {
    return this.size;
  }

  /** The records added since the last call, framed, as one byte array (empty when none). */
  take(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    this.chunks = [];
    this.size = 0;
    return out;
  }
}
