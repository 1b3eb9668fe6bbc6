/**
 * An error of `@anneal/nx`: its message says what is wrong, where (the option, file or folder)
 * and what to do; `code` is stable for programs to match.
 *
 * @example
 * ```ts
 * throw new AnnealNxError('EXISTS', `packages/halving already exists; choose another --directory or delete it`);
 * ```
 */
export class AnnealNxError extends Error {
  constructor(
    readonly code: 'OPTION' | 'EXISTS',
    message: string,
  ) {
    super(message);
    this.name = 'AnnealNxError';
  }
}
