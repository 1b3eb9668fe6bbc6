import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { scheduleChart, writeChart } from '@anneal/report';
import { fitConfigSchema } from './config/fit-config.js';
import { formatIssues, parseConfigText } from './config/load-config.js';
import { childContainer } from './container.js';
import { ConfigError } from './errors.js';
import type { Pipeline } from './pipeline.js';
import { loadPluginPackages, pluginPackages } from './plugin-packages.js';
import { configData } from './run/evaluate.js';
import { PLUGIN_REGISTRY } from './tokens.js';

const plotFile = z
  .object({
    steps: z.number().int().positive().optional(),
    plugins: z.array(z.string()).default([]),
    schedules: z.array(z.object({ target: z.string().default('lr'), group: z.string().optional(), interval: z.enum(['step', 'epoch']).default('step'), schedule: z.looseObject({ type: z.string(), package: z.string().optional() }) })).min(1),
  })
  .passthrough();

/**
 * `anneal schedule plot <config>`: the values of every configured schedule over the run's steps
 * as SVG and PNG. The config is a fit config (steps = epochs × batches per epoch) or a file with
 * just `schedules` (and `steps`). Plateau schedules are drawn without metrics (flat).
 */
export async function schedulePlot(pipeline: Pipeline, file: string, options: { steps?: number; out: string; stepsPerEpoch?: number }): Promise<{ svg: string; png: string; steps: number }> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`${file}: cannot read the config; check the path`);
  }
  const raw = parseConfigText(text, file);
  const parsed = plotFile.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`${file}: invalid schedule config:\n${formatIssues(parsed.error.issues)}`);
  const cfg = parsed.data;
  let steps = options.steps ?? cfg.steps;
  let perEpoch = options.stepsPerEpoch ?? 1;
  const full = fitConfigSchema.safeParse(raw);
  if (full.success && (!steps || !options.stepsPerEpoch)) {
    perEpoch = options.stepsPerEpoch ?? (await configData(pipeline, full.data)).train.batchesPerEpoch;
    steps ??= full.data.train.epochs * perEpoch;
  }
  if (!steps) throw new ConfigError(`${file}: say how many steps to plot: --steps N (or a "steps" field, or a full fit config)`);
  const registry = childContainer(pipeline.container, await loadPluginPackages(pluginPackages(cfg), pipeline.baseDir)).resolve(PLUGIN_REGISTRY);
  const series = cfg.schedules.map((b, i) => {
    const s = registry.build('schedule', b.schedule, `schedules[${i}].schedule`, {});
    const values = Array.from({ length: steps! }, (_, t) => s.valueAt(b.interval === 'epoch' ? Math.floor(t / perEpoch) : t));
    return { name: `${b.target}${b.group ? ` (${b.group})` : ''}: ${b.schedule.type}`, values };
  });
  const written = await writeChart(options.out, scheduleChart(series, { title: `Schedules of ${file}`, yLabel: 'value', xLabel: 'step' }));
  return { ...written, steps };
}
