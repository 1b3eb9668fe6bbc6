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
    code = 'STORAGE',
  ) {
    super(code, `${where}: ${message}`);
  }
}

/**
 * The storage stayed unreachable longer than its retry bound (RedisStorage's `retry.maxMs`): the
 * study cannot progress from this process. Code `STORAGE_UNAVAILABLE`.
 */
export class StorageUnavailableError extends StorageError {
  constructor(where: string, message: string) {
    super(where, message, 'STORAGE_UNAVAILABLE');
  }
}

/**
 * A study (or a trial of it) that this process used is gone from the storage: e.g. a Redis server
 * restarted without persistence, or its keys deleted. Code `STUDY_LOST`.
 */
export class StudyLostError extends StorageError {
  constructor(
    where: string,
    readonly study: string,
    message: string,
  ) {
    super(where, message, 'STUDY_LOST');
  }
}

/** Thrown inside an objective to stop the trial as pruned (see Trial.shouldPrune). */
export class TrialPruned extends SearchError {
  constructor(readonly step?: number) {
    super('PRUNED', `trial pruned${step !== undefined ? ` at step ${step}` : ''}`);
  }
}
