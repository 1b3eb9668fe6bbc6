// Event files on disk (Node). The browser build swaps this module for event-files.browser.ts
// (package.json "imports" #event-files): a page builds the bytes with EventEncoder instead.
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { decodeEvent, type TensorBoardEvent } from './event.js';
import { EventEncoder } from './event-encoder.js';
import { readEvents } from './read-events.js';
import { frameRecord, readRecords } from './tfrecord.js';

/** The machine's name, as event file names carry it. */
export function hostName(): string {
  return hostname();
}

/**
 * TensorBoard's event file name: `events.out.tfevents.<unix seconds>.<hostname><suffix>`.
 *
 * @example
 * eventFileName(1700000000.25, 'gpu-1'); // 'events.out.tfevents.1700000000.gpu-1'
 */
export function eventFileName(wallTime: number, host: string, suffix = ''): string {
  return `events.out.tfevents.${Math.floor(wallTime)}.${host}${suffix}`;
}

/** Whether a file name is an event file's, by TensorBoard's rule (the name contains `tfevents`). */
export function isEventFileName(name: string): boolean {
  return name.includes('tfevents');
}

/** The event files of a folder (full paths), sorted by name as TensorBoard reads them; none when the folder does not exist. */
export function listEventFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && isEventFileName(d.name))
    .map((d) => d.name)
    .sort()
    .map((name) => join(dir, name));
}

/**
 * The events of an event file, with both CRCs of every record checked; throws a
 * `TensorBoardError` naming the file and byte offset of a damaged or cut-short record.
 *
 * @example
 * const losses = scalarSeries(readEventFile('runs/a/tensorboard/events.out.tfevents.1700000000.host'))['train/loss'];
 */
export function readEventFile(path: string): TensorBoardEvent[] {
  return readEvents(readFileSync(path), path);
}

/**
 * An event file being written: records go to an {@link EventEncoder} in memory and reach the file
 * at `flush()`, appended and fsynced. The file is created new (never over an existing one: a
 * taken name gets `.1`, `.2`, ... appended), so no other file is touched.
 *
 * @example
 * const file = EventFileWriter.create('runs/a/tensorboard', { wallTime: Date.now() / 1000 });
 * file.encoder.scalar('train/loss', 0.5, 1, Date.now() / 1000);
 * file.close();
 */
export class EventFileWriter {
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    fd: number,
    readonly encoder: EventEncoder,
  ) {
    this.fd = fd;
  }

  /** Creates `dir` if needed and a new event file in it holding the file version record (flushed). */
  static create(dir: string, options: { wallTime: number; host?: string; suffix?: string }): EventFileWriter {
    mkdirSync(dir, { recursive: true });
    const base = eventFileName(options.wallTime, options.host ?? hostName(), options.suffix);
    for (let n = 0; ; n++) {
      const path = join(dir, n ? `${base}.${n}` : base);
      let fd: number;
      try {
        fd = openSync(path, 'wx');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw e;
      }
      const file = new EventFileWriter(path, fd, new EventEncoder(options.wallTime));
      file.flush();
      return file;
    }
  }

  /** Appends the records added since the last flush and fsyncs the file. */
  flush(): void {
    if (this.fd === undefined || !this.encoder.pending) return;
    const bytes = this.encoder.take();
    for (let at = 0; at < bytes.length; ) at += writeSync(this.fd, bytes, at, bytes.length - at);
    fsyncSync(this.fd);
  }

  /** Flushes and closes the file; later calls do nothing. */
  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** What {@link dropEventsAfter} did to each file of a folder. */
export interface DroppedEvents {
  /** Files rewritten without their events after the step (or without a cut-short last record). */
  readonly rewritten: readonly string[];
  /** Files left as they were because they are damaged (a CRC mismatch or a record that is not an Event). */
  readonly damaged: readonly { readonly path: string; readonly reason: string }[];
}

/**
 * Removes, from every event file in `dir`, the events with a step greater than `step` and a
 * record cut short at the end: what a resumed run does to the files of the run it continues, whose
 * steps after its checkpoint are orphans the resumed run writes again. Each changed file is
 * replaced atomically (written to a temporary sibling, fsynced, renamed over it); a damaged file
 * is left alone and reported.
 *
 * @example
 * dropEventsAfter('runs/a/tensorboard', 480); // the checkpoint was taken after 480 updates
 */
export function dropEventsAfter(dir: string, step: number): DroppedEvents {
  const rewritten: string[] = [];
  const damaged: { path: string; reason: string }[] = [];
  for (const path of listEventFiles(dir)) {
    let kept: Uint8Array[];
    let changed: boolean;
    try {
      const read = readRecords(readFileSync(path), path);
      kept = read.records.filter((r, i) => decodeEvent(r, `${path} (record ${i})`).step <= step);
      changed = read.truncated || kept.length < read.records.length;
    } catch (e) {
      damaged.push({ path, reason: (e as Error).message });
      continue;
    }
    if (!changed) continue;
    replaceFile(path, kept.map(frameRecord));
    rewritten.push(path);
  }
  return { rewritten, damaged };
}

/** Writes `chunks` to a temporary sibling (whose name has no `tfevents`, so TensorBoard never reads it), fsyncs it and renames it over `path`. */
function replaceFile(path: string, chunks: readonly Uint8Array[]): void {
  const tmp = join(dirname(path), `.anneal-rewrite-${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx');
  try {
    for (const c of chunks) for (let at = 0; at < c.length; ) at += writeSync(fd, c, at, c.length - at);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    throw e;
  }
}
