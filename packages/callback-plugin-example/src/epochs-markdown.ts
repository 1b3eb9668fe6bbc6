import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { defineLogger, ofType, type AnnealEvent, type EventOf, type Logger } from '@anneal/core';
import { map, scan, type Observable, type Subscription } from 'rxjs';
import { z } from 'zod';

/** Zod schema of the `epochs-markdown` options. */
export const epochsMarkdownOptions = z.strictObject({ file: z.string().min(1).default('epochs.md') });

const cell = (v: number | undefined, percent: boolean) => (v === undefined || !Number.isFinite(v) ? '' : percent ? `${(v * 100).toFixed(2)}%` : v.toFixed(4));

/** One table row of an epoch: epoch (1-based), train loss ± std, train and val metrics, lr. */
function row(e: EventOf<'epoch:end'>, metrics: readonly string[]): string {
  const cells = [String(e.epoch), `${cell(e.train.loss.mean, false)} ± ${cell(e.train.loss.std, false)}`, cell(e.val?.loss.mean, false)];
  for (const m of metrics) cells.push(cell(e.train.metrics[m], true), cell(e.val?.metrics[m], true));
  cells.push(e.hyperparameters.lr === undefined ? '' : e.hyperparameters.lr.toExponential(2));
  return `| ${cells.join(' | ')} |`;
}

/**
 * Keeps a Markdown table of the run's epochs in a file (rewritten atomically at every epoch end):
 * something to paste into a pull request or a notebook. Rows are accumulated with RxJS `scan`
 * over the `epoch:end` events.
 *
 * @example
 * epochsMarkdown('runs/a/epochs.md').attach(trainer.events$);
 */
export function epochsMarkdown(path: string): Logger {
  const write = (text: string) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
  };
  return {
    attach(events$: Observable<AnnealEvent>): Subscription {
      return events$
        .pipe(
          ofType('epoch:end'),
          scan((acc, e) => {
            const metrics = acc.metrics.length ? acc.metrics : Object.keys(e.train.metrics);
            return { metrics, rows: [...acc.rows, row(e, metrics)] };
          }, { metrics: [] as string[], rows: [] as string[] }),
          map(({ metrics, rows }) => {
            const head = ['epoch', 'train loss', 'val loss', ...metrics.flatMap((m) => [`train ${m}`, `val ${m}`]), 'lr'];
            return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows].join('\n') + '\n';
          }),
        )
        .subscribe(write);
    },
  };
}

/** The descriptor a config names as `loggers: [{ type: epochs-markdown, package: '@anneal/callback-plugin-example' }]`. */
export const epochsMarkdownDescriptor = defineLogger({
  id: 'epochs-markdown',
  description: 'a Markdown table of the epochs (losses, metrics, lr) in the run folder, updated every epoch',
  options: epochsMarkdownOptions,
  create: (o, ctx) => {
    if (!isAbsolute(o.file) && !ctx.run.dir) throw new Error(`file '${o.file}' is relative but the run has no folder; give an absolute path`);
    return epochsMarkdown(isAbsolute(o.file) ? o.file : join(ctx.run.dir!, o.file));
  },
});
