import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';

/** Largest file the dashboard sends (a metrics.jsonl of a very long run is well below). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Reads a regular file that resolveInside already placed inside the served folder. Opened with
 * O_NOFOLLOW, so a symbolic link swapped in after the check is refused rather than followed;
 * anything but a regular file (a folder, a FIFO, a device) is refused without reading; and
 * O_NONBLOCK keeps a FIFO swapped in after the check from blocking the open. Returns undefined
 * for those; a path that is not a regular file is not even opened.
 */
export function readRegularFile(path: string): Buffer | undefined | 'too-large' {
  let fd: number;
  try {
    if (!lstatSync(path).isFile()) return undefined;
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return undefined;
    if (stat.size > MAX_FILE_BYTES) return 'too-large';
    const buffer = Buffer.alloc(stat.size);
    let done = 0;
    while (done < stat.size) {
      const got = readSync(fd, buffer, done, stat.size - done, done);
      if (got === 0) break;
      done += got;
    }
    return buffer.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}
