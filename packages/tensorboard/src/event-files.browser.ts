// The browser twin of event-files.ts (package.json "imports" #event-files, browser condition): a
// page has no file system. EventEncoder builds the same bytes in memory and readEvents reads them.
import type * as EventFiles from './event-files.js';
import { TensorBoardError } from './errors.js';
import type { TensorBoardEvent } from './event.js';

const noFiles = (what: string): never => {
  throw new TensorBoardError('NO_FILES', what, 'event files on disk need Node; in a page, build the bytes with EventEncoder (take() them for a download) and read fetched bytes with readEvents');
};

export function hostName(): string {
  return 'browser';
}

export function eventFileName(wallTime: number, host: string, suffix = ''): string {
  return `events.out.tfevents.${Math.floor(wallTime)}.${host}${suffix}`;
}

export function isEventFileName(name: string): boolean {
  return name.includes('tfevents');
}

export function listEventFiles(dir: string): string[] {
  return noFiles(`listEventFiles('${dir}')`);
}

export function readEventFile(path: string): TensorBoardEvent[] {
  return noFiles(`readEventFile('${path}')`);
}

export const EventFileWriter: typeof EventFiles.EventFileWriter = class {
  static create(dir: string): never {
    return noFiles(`EventFileWriter.create('${dir}')`);
  }
} as unknown as typeof EventFiles.EventFileWriter;
export type EventFileWriter = EventFiles.EventFileWriter;

export type DroppedEvents = EventFiles.DroppedEvents;

export function dropEventsAfter(dir: string, _step: number): DroppedEvents {
  return noFiles(`dropEventsAfter('${dir}')`);
}
