/** A Trainer was misconfigured, or a run file could not be used. `where` names the option, file or step. */
export class TrainerError extends Error {
  readonly code: string = 'TRAINER';
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
    this.name = 'TrainerError';
  }
}

/** Training stopped on a NaN/Inf loss (policy `stop`); the last good checkpoint is untouched. */
export class DivergedError extends TrainerError {
  override readonly code = 'DIVERGED';
  constructor(
    readonly step: number,
    readonly epoch: number,
    readonly tensor: string | undefined,
    cause: string,
  ) {
    super(`step ${step} (epoch ${epoch})`, cause);
    this.name = 'DivergedError';
  }
}

/**
 * A checkpoint's Trainer state (its `anneal.trainer` metadata) is not valid JSON or not the
 * shape this Anneal writes. `where` names the checkpoint file.
 */
export class CheckpointStateError extends TrainerError {
  override readonly code = 'CHECKPOINT_STATE';
  constructor(where: string, message: string) {
    super(where, message);
    this.name = 'CheckpointStateError';
  }
}
