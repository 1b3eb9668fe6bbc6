/** A dataset file is missing, malformed or of an unsupported layout. */
export class DataError extends Error {
  readonly code = 'DATA';
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'DataError';
  }
}
