/** An ensemble that cannot be built: members that do not fit together, bad weights, too few members. */
export class EnsembleError extends Error {
  readonly code = 'ENSEMBLE';
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
    this.name = 'EnsembleError';
  }
}
