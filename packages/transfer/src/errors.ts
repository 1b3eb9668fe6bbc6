/** Base class of @anneal/transfer errors; `code` is stable for programs to match. */
export class TransferError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The head does not fit the backbone's feature tensor, or data does not fit the backbone input. */
export class ShapeMismatchError extends TransferError {
  constructor(
    readonly where: string,
    readonly expected: readonly (number | string)[],
    readonly actual: readonly (number | string)[],
    hint: string,
  ) {
    super('SHAPE_MISMATCH', `${where}: expected dims [${expected.join(', ')}] but got [${actual.join(', ')}]. ${hint}`);
  }
}

/** A freezing or learning-rate rule matched nothing, or asked for more blocks than the backbone has. */
export class FreezeError extends TransferError {
  constructor(message: string) {
    super('FREEZE', message);
  }
}

/** The on-disk feature cache could not be read or written. */
export class FeatureCacheError extends TransferError {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super('FEATURE_CACHE', `${path}: ${message}`);
  }
}
