/**
 * An ensemble or weight average that cannot be built: members that do not fit together, bad
 * weights or names, too few members, labels out of range. `where` names the culprit
 * (`members[2]`, `weights`, `options.names`, `labels[5]`) and starts the message.
 *
 * @example
 * try { ensembleModel([a]); } catch (e) { if (e instanceof EnsembleError) console.error(e.where); }
 */
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
