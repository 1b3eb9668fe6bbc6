/** Base class of every error @anneal/pipeline throws; `code` is stable for programs to match. */
export class PipelineError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A config, a run folder or a command's input is wrong in a way the user fixes (a bad path, an
 * invalid option, a folder that already holds a run). The message names the file or config
 * path and what to do; the CLI exits with status 2 for it.
 */
export class ConfigError extends PipelineError {
  constructor(message: string, options?: ErrorOptions) {
    super('CONFIG', message, options);
  }
}
