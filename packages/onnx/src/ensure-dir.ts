import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FolderError } from './errors.js';

/** What stat says a path is, without throwing: a folder, something else, or nothing. */
function kind(path: string): 'dir' | 'other' | 'none' {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'other';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'none';
    if (code === 'ENOTDIR') return 'other';
    throw new FolderError(path, (e as Error).message);
  }
}

/**
 * Creates `dir` and its missing parents, like `mkdirSync(dir, { recursive: true })`, without its
 * failure modes: Node's recursive mkdir loops forever on file systems that answer ENOENT for a
 * folder they will never create (`/proc/self/nope`). This walks up to the nearest existing
 * ancestor, then creates each missing level with a plain mkdir, and throws {@link FolderError}
 * naming the level that failed. A folder created meanwhile by another process is fine.
 *
 * @example ensureDir('runs/iris/checkpoints');
 */
export function ensureDir(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    const k = kind(at);
    if (k === 'dir') break;
    if (k === 'other') throw new FolderError(dir, `'${at}' exists and is not a folder`);
    missing.push(at);
    const parent = dirname(at);
    if (parent === at) throw new FolderError(dir, `no part of the path exists`);
    at = parent;
  }
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && kind(level) === 'dir') continue;
      throw new FolderError(dir, `mkdir '${level}' failed (${code ?? (e as Error).message})`);
    }
  }
}
