/** Base class of @anneal/search errors; `code` is stable for programs to match. */
export class SearchError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A distribution or a suggested value is invalid (empty range, log of a non-positive bound, unknown choice...). */
export class DistributionError extends SearchError {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super('DISTRIBUTION', `parameter '${param}': ${message}`);
  }
}

/** A trial asked for the same parameter with another distribution, or a stored trial was changed after it ended. */
export class TrialStateError extends SearchError {
  constructor(message: string) {
    super('TRIAL_STATE', message);
  }
}

/** A storage could not be read or written (corrupt journal line, lost connection...). */
export class StorageError extends SearchError {
  constructor(
    readonly where: string,
    message: string,
  ) {
    super('STORAGE', `${where}: ${message}`);
  }
}

/** Thrown inside an objective to stop the trial as pruned (see Trial.shouldPrune). */
export class TrialPruned extends SearchError {
  constructor(readonly step?: number) {
    super('PRUNED', `trial pruned${step !== undefined ? ` at step ${step}` : ''}`);
  }
}
