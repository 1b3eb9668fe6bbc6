/**
 * The one error @anneal/report throws for bad chart input or a failed render. `chart` names the
 * chart (its title, or what was being rendered) so a message from a batch of charts says which.
 *
 * @example
 * ```ts
 * try { await lineChartSvg({ title: 'loss', x: { label: 'epoch' }, y: { label: 'loss' }, series: [] }); }
 * catch (e) { if (e instanceof ChartError) console.error(e.chart, e.message); }
 * ```
 */
export class ChartError extends Error {
  readonly code = 'CHART';

  constructor(
    /** The chart's title, or the thing being rendered when there is no title. */
    readonly chart: string,
    /** What was wrong and how to fix it. */
    readonly detail: string,
  ) {
    super(`chart '${chart}': ${detail}`);
    this.name = new.target.name;
  }
}
