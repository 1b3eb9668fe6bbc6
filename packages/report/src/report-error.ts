/**
 * Thrown for a report document that cannot be written as given: a duplicate or badly formed
 * chart name or section id, a table row of the wrong width, a chart without rendered files.
 * `path` says where in the document (e.g. `sections[2] 'lr'.charts[1]`).
 *
 * @example
 * ```ts
 * try { await writeReport('runs/7/report', doc); }
 * catch (e) { if (e instanceof ReportError) console.error(e.path, e.detail); }
 * ```
 */
export class ReportError extends Error {
  readonly code = 'REPORT';

  constructor(
    /** Where in the document the problem is. */
    readonly path: string,
    /** What was wrong and how to fix it. */
    readonly detail: string,
  ) {
    super(`report ${path}: ${detail}`);
    this.name = new.target.name;
  }
}
