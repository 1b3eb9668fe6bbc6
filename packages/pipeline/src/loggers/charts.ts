import { existsSync } from 'node:fs';
import type { Logger } from '@anneal/core';
import { EMPTY, type Subscription } from 'rxjs';
import { readMetrics } from './metrics-jsonl.js';
import { writeRunCharts, type RunChartsOptions } from './run-charts.js';

/**
 * Draws a run's charts (loss with its ±std band, accuracy, lr; SVG and 2x PNG) from its
 * metrics.jsonl when the run ends: `written` lists the SVGs. It reads the file the
 * `metrics-jsonl` logger keeps, so a resumed run's charts cover the whole run.
 *
 * @example
 * const charts = chartsLogger({ metrics: 'runs/a/metrics.jsonl', dir: 'runs/a/charts', batchesPerEpoch: 125 });
 */
export function chartsLogger(options: RunChartsOptions & { metrics: string; dir: string }): Logger & { readonly written: readonly string[] } {
  let written: string[] = [];
  return {
    get written() {
      return written;
    },
    attach: (): Subscription => EMPTY.subscribe(),
    async close() {
      if (!existsSync(options.metrics)) return;
      written = await writeRunCharts(options.dir, readMetrics(options.metrics), options);
    },
  };
}
