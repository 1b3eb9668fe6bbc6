/** Base class of every error @anneal/plugin throws; `code` is stable for programs to match. */
export class PluginError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem found in a plugin spec, at `path` (e.g. `schedules[0].schedule.inner.tMax`). */
export interface PluginConfigIssue {
  path: string;
  message: string;
}

/**
 * A plugin spec in a config (`{ type, package?, ...options }`) is invalid: unknown id, bad
 * options, or its `create` failed. `path` is where the first problem is; `issues` lists all.
 *
 * @example
 * ```ts
 * try { registry.build('schedule', spec, 'schedules[0].schedule'); }
 * catch (e) { if (e instanceof PluginConfigError) console.error(e.issues.map((i) => `${i.path}: ${i.message}`)); }
 * ```
 */
export class PluginConfigError extends PluginError {
  readonly path: string;
  constructor(
    readonly issues: readonly PluginConfigIssue[],
    options?: ErrorOptions,
  ) {
    super('PLUGIN_CONFIG', issues.map((i) => `${i.path}: ${i.message}`).join('\n'), options);
    this.path = issues[0]?.path ?? '';
  }
}

/** A set of descriptors breaks the contract: an id that is not kebab-case, a duplicate id, a missing field. */
export class PluginContractError extends PluginError {
  constructor(
    readonly where: string,
    readonly detail: string,
  ) {
    super('PLUGIN_CONTRACT', `${where}: ${detail}`);
  }
}

/**
 * Thrown by a plugin's `create` when one option is wrong in a way its schema cannot tell (a
 * tensor name the model lacks, say): the registry reports it at `<spec path>.<option>`.
 *
 * @example
 * ```ts
 * if (!params.includes(name)) throw new PluginOptionError('trainable', `'${name}' is not a parameter of the model`);
 * ```
 */
export class PluginOptionError extends PluginError {
  constructor(
    readonly option: string,
    readonly detail: string,
  ) {
    super('PLUGIN_OPTION', `${option}: ${detail}`);
  }
}
