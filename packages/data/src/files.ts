// The file access of @anneal/data (Node). The browser build swaps this module for files.browser.ts
// (package.json "imports" #files): datasets there come from bytes a page fetched (parseNpy, parseCsvText...).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A text file's contents. */
export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** A binary file's contents. */
export function readBytes(path: string): Uint8Array {
  return readFileSync(path);
}

/** Whether a file exists. */
export function fileExists(path: string): boolean {
  return existsSync(path);
}

/** The folder an installed package's main file lives in (resolved from @anneal/data, then upwards). */
export function packageFolder(name: string): string {
  return dirname(createRequire(import.meta.url).resolve(name));
}

/** `require` of an installed CommonJS package. */
export function requirePackage(name: string): unknown {
  return createRequire(import.meta.url)(name);
}

export { join as joinPath };
