import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The temporary sibling {@link writeFileAtomic} writes before its rename: `.<name>.<12 hex>.tmp`. */
const TEMP = /^\..+\.[0-9a-f]{12}\.tmp$/;

/** A fresh temporary sibling of `path` for an atomic write. */
export function atomicTempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Removes the temporary files atomic writes leave behind when a process is killed between the
 * write and the rename (`.<name>.<12 hex>.tmp`), in `dir` and its sub-folders; other files are
 * never touched. Call it only on a folder no running process is writing. Returns what it removed.
 *
 * @example removeAtomicTemps('runs/iris'); // before resuming the run
 */
export function removeAtomicTemps(dir: string): string[] {
  const removed: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return removed;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) removed.push(...removeAtomicTemps(path));
    else if (e.isFile() && TEMP.test(e.name)) {
      rmSync(path, { force: true });
      removed.push(path);
    }
  }
  return removed;
}
