/**
 * The base of every error @anneal/diagnostics throws: a stable `code` and a message that says
 * what was wrong, where, and how to fix it.
 *
 * @example
 * ```ts
 * try { curvesFromRecords(lines); } catch (e) { if (e instanceof DiagnosticsError) console.error(e.code, e.message); }
 * ```
 */
export class DiagnosticsError extends Error {
  readonly code: string = 'DIAGNOSTICS';
  constructor(message: string) {
    super(message);
    this.name = 'DiagnosticsError';
  }
}

/**
 * A metrics.jsonl line could not be read as learning-curve data: `line` is its 1-based number,
 * `field` the offending field path (e.g. `train.loss.mean`).
 *
 * @example
 * ```ts
 * new CurvesError(12, 'loss', 'must be a number or null, got "abc"');
 * // message: 'metrics.jsonl line 12, field "loss": must be a number or null, got "abc"; fix or delete that line'
 * ```
 */
export class CurvesError extends DiagnosticsError {
  override readonly code = 'CURVES';
  constructor(
    readonly line: number,
    readonly field: string,
    problem: string,
  ) {
    super(`metrics.jsonl line ${line}${field ? `, field "${field}"` : ''}: ${problem}; fix or delete that line`);
    this.name = 'CurvesError';
  }
}
