// The file, path and hash access of @anneal/transfer (Node). The browser build swaps this module
// for files.browser.ts (package.json "imports" #files): a page has no file system, so models and
// images arrive there as bytes (loadBackbone(decodeModel(bytes)), preprocessRgba).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, type Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';

export { extname as extensionOf, join as joinPath } from 'node:path';

/** A binary file's contents. */
export function readBytes(path: string): Uint8Array {
  return readFileSync(path);
}

/** A text file's contents (UTF-8). */
export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Whether a file or folder exists. */
export function fileExists(path: string): boolean {
  return existsSync(path);
}

/** A file's size in bytes. */
export function fileSize(path: string): number {
  return statSync(path).size;
}

/** Entry names of a folder. */
export function listNames(dir: string): string[] {
  return readdirSync(dir);
}

/** Entries of a folder with their types (rejects with the Node error, `code` included). */
export function listEntries(dir: string): Promise<Dirent[]> {
  return readdir(dir, { withFileTypes: true });
}

/** Whether `path` is a folder (following symbolic links); false when it cannot be read. */
export async function isFolder(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() === true;
}

/** An incremental sha256: `update` as often as needed, then `digest()` (lowercase hex). */
export interface Sha256 {
  update(data: Uint8Array | string): Sha256;
  digest(): string;
}

/** A new incremental sha256 (node:crypto here; a small pure-JS one in the browser twin). */
export function createSha256(): Sha256 {
  const h = createHash('sha256');
  const api: Sha256 = {
    update(data) {
      h.update(data);
      return api;
    },
    digest: () => h.digest('hex'),
  };
  return api;
}
