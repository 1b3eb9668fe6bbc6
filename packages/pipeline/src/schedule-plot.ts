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
  if (steps > MAX_PLOT_STEPS) throw new ConfigError(`${file}: ${steps} steps${options.steps ? ' (--steps)' : ''} is more than the ${MAX_PLOT_STEPS} a plot evaluates; plot the first part of the run with --steps ${MAX_PLOT_STEPS} or fewer`);
  const registry = childContainer(pipeline.container, await loadPluginPackages(pluginPackages(cfg), pipeline.baseDir)).resolve(PLUGIN_REGISTRY);
  const series = cfg.schedules.map((b, i) => {
    const s = registry.build('schedule', b.schedule, `schedules[${i}].schedule`, {});
    const points = thinnedValues(steps!, (t) => s.valueAt(b.interval === 'epoch' ? Math.floor(t / perEpoch) : t));
    return { name: `${b.target}${b.group ? ` (${b.group})` : ''}: ${b.schedule.type}`, points };
  });
  const chart = scheduleChart(
    series.map((s) => ({ name: s.name, values: s.points.map((p) => p.y) })),
    { title: `Schedules of ${file}`, yLabel: 'value', xLabel: 'step' },
  );
  // the chart's x is the step each kept value belongs to
  chart.series = chart.series.map((c, i) => ({ ...c, points: series[i]!.points }));
  const written = await writeChart(options.out, chart);
  return { ...written, steps };
}

/** Steps a plot evaluates at most (each is one valueAt call per schedule). */
export const MAX_PLOT_STEPS = 10_000_000;
/** Points a series of the chart keeps at most; longer runs are thinned. */
export const MAX_PLOT_POINTS = 2000;

/**
 * The values of a schedule over `steps`, at most {@link MAX_PLOT_POINTS} of them: every step of a
 * short run; for a long one, the minimum and the maximum of each of MAX_PLOT_POINTS / 2 equal
 * buckets (in step order), so restarts, drops and cycles shorter than a bucket still show.
 */
export function thinnedValues(steps: number, valueAt: (step: number) => number): { x: number; y: number }[] {
  if (steps <= MAX_PLOT_POINTS) return Array.from({ length: steps }, (_, t) => ({ x: t, y: valueAt(t) }));
  const buckets = MAX_PLOT_POINTS / 2;
  const points: { x: number; y: number }[] = [];
  for (let k = 0; k < buckets; k++) {
    const start = Math.floor((k * steps) / buckets);
    const end = Math.floor(((k + 1) * steps) / buckets);
    let lo = { x: start, y: Infinity };
    let hi = { x: start, y: -Infinity };
    for (let t = start; t < end; t++) {
      const y = valueAt(t);
      if (y < lo.y) lo = { x: t, y };
      if (y > hi.y) hi = { x: t, y };
    }
    if (lo.y === Infinity) points.push({ x: start, y: valueAt(start) }); // no comparable value (NaN): the bucket's first
    else if (lo.x === hi.x) points.push(lo);
    else points.push(...(lo.x < hi.x ? [lo, hi] : [hi, lo]));
  }
  return points;
}
