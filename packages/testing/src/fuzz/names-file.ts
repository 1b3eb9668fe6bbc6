import { basename } from 'node:path';

/**
 * A `typed` predicate for {@link FuzzTarget}: the error is an instance of one of `classes` and its
 * message names `file` (its path or its base name).
 * @example typed: namesFile([DataError], () => currentFile)
 */
export function namesFile(classes: readonly (abstract new (...args: never[]) => Error)[], file: () => string): (error: unknown) => boolean {
  return (error) => classes.some((c) => error instanceof c) && (error as Error).message.includes(basename(file()));
}
