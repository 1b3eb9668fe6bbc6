/** Base class of every error @anneal/optim throws; `code` is stable for programs to match. */
export class OptimError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * An optimizer or update configuration is invalid. `path` points at the offending config entry
 * (e.g. `groups[1].params[0]` or `sgd.nesterov`).
 */
export class OptimConfigError extends OptimError {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super('OPTIM_CONFIG', `invalid optimizer config at ${path}: ${detail}`);
  }
}

/** A parameter or gradient tensor the update needs does not exist in the graph being extended. */
export class MissingTensorError extends OptimError {
  constructor(
    readonly tensor: string,
    readonly role: 'parameter' | 'gradient',
    readonly param: string,
  ) {
    super(
      'MISSING_TENSOR',
      `${role} tensor '${tensor}' of parameter '${param}' is not in the graph. ` +
        `Declare it (as a graph input or node output) before emitting the optimizer update, or fix the name in params[].`,
    );
  }
}

/** A tensor name the update wants to create (input, state or output) is already used in the graph. */
export class NameCollisionError extends OptimError {
  constructor(readonly tensor: string) {
    super(
      'NAME_COLLISION',
      `tensor name '${tensor}' is already used in the graph; the optimizer update reserves the hp.*, state.*, new.* and stats.* names. ` +
        `Rename the existing tensor, or emit the optimizer update only once per graph.`,
    );
  }
}
