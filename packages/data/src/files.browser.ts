// The browser twin of files.ts (package.json "imports" #files, browser condition): a page has no
// file system and no node_modules to read from.
import { DataError } from './errors.js';

const noFiles = (what: string): never => {
  throw new DataError(what, 'reading files needs Node; in a browser, fetch the bytes and build the dataset from them (parseNpy, fromArrays, tensorDataset)');
};

export function readText(path: string): string {
  return noFiles(path);
}

export function readBytes(path: string): Uint8Array {
  return noFiles(path);
}

export function fileExists(_path: string): boolean {
  return false;
}

export function packageFolder(name: string): string {
  return noFiles(`the '${name}' package`);
}

export function requirePackage(name: string): unknown {
  return noFiles(`the '${name}' package`);
}

export function joinPath(...parts: string[]): string {
  return parts.join('/').replace(/\/+/g, '/');
}
