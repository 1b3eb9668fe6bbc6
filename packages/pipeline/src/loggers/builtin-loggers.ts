import { isAbsolute, join } from 'node:path';
import { defineLogger, type LoggerContext, type LoggerDescriptor } from '@anneal/core';
import { PluginOptionError } from '@anneal/plugin';
import { tensorboardLogger } from '@anneal/tensorboard';
import { z } from 'zod';
import { chartsLogger } from './charts.js';
import { csvLogger } from './csv-logger.js';
import { metricsJsonl } from './metrics-jsonl.js';

/** The run folder a file logger writes into; loggers that write files need one. */
function runDir(ctx: LoggerContext, id: string): string {
  if (!ctx.run.dir) throw new PluginOptionError('type', `the '${id}' logger writes files, but the run has no folder; give the run a dir`);
  return ctx.run.dir;
}

const inRun = (dir: string, path: string) => (isAbsolute(path) ? path : join(dir, path));

/** The built-in loggers that write a run folder's files: `metrics-jsonl` and `charts` (every run with a folder has both), `tensorboard` and `csv` (when `loggers` names them). */
export const builtinFileLoggers: readonly LoggerDescriptor[] = [
  defineLogger({
    id: 'metrics-jsonl',
    description: 'metrics.jsonl: a line per step and per epoch (what anneal doctor and the charts read)',
    options: z.strictObject({ path: z.string().min(1).default('metrics.jsonl') }),
    create: (o, ctx) => metricsJsonl(inRun(runDir(ctx, 'metrics-jsonl'), o.path), { onWarning: (m) => ctx.io.err(`warning: ${m}`) }),
  }),
  defineLogger({
    id: 'charts',
    description: 'charts/*.svg and .png (2x) at the end of the run: loss with its ±std band, accuracy, lr, on one epoch axis',
    options: z.strictObject({
      metrics: z.string().min(1).default('metrics.jsonl'),
      dir: z.string().min(1).default('charts'),
      lossScale: z.enum(['linear', 'log', 'auto']).default('auto').describe('loss axis: auto is log when the epoch means span more than 30x'),
    }),
    create: (o, ctx) => {
      const dir = runDir(ctx, 'charts');
      return chartsLogger({ metrics: inRun(dir, o.metrics), dir: inRun(dir, o.dir), batchesPerEpoch: ctx.run.batchesPerEpoch, lossScale: o.lossScale });
    },
  }),
  defineLogger({
    id: 'tensorboard',
    description: 'TensorBoard event files in tensorboard/: loss, lr, hyperparameters and grad norm per step, epoch losses and metrics (tensorboard --logdir runs/)',
    options: z.strictObject({ dir: z.string().min(1).default('tensorboard'), steps: z.boolean().default(true), norms: z.boolean().default(false), flushSeconds: z.number().positive().default(30) }),
    create: (o, ctx) => tensorboardLogger(inRun(runDir(ctx, 'tensorboard'), o.dir), { steps: o.steps, norms: o.norms, flushSeconds: o.flushSeconds, onWarning: (m) => ctx.io.err(`warning: ${m}`) }),
  }),
  defineLogger({
    id: 'csv',
    description: 'epochs.csv: a row per epoch (losses, metrics, lr, hyperparameters); `steps: steps.csv` adds a file with a row per step',
    options: z.strictObject({ path: z.string().min(1).default('epochs.csv'), steps: z.string().min(1).optional() }),
    create: (o, ctx) => {
      const dir = runDir(ctx, 'csv');
      return csvLogger(inRun(dir, o.path), { steps: o.steps === undefined ? undefined : inRun(dir, o.steps) });
    },
  }),
];
