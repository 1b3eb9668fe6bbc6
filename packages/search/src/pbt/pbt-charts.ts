import { join } from 'node:path';
import { writeVegaLite, type PngOptions, type VegaLiteSpec } from '@anneal/report';
import type { Direction, Distribution, FrozenTrial } from '../types.js';
import { STUDY_CHART_CONFIG, VEGA_LITE_SCHEMA } from '../results/param-axes.js';
import { StudyResultsError } from '../results/results-error.js';
import { pbtLineage, pbtSteps, type PbtStep } from './pbt-record.js';

function bestFinal(steps: readonly PbtStep[], direction: Direction): PbtStep | undefined {
  const last = Math.max(...steps.map((s) => s.generation));
  const sign = direction === 'minimize' ? 1 : -1;
  return steps.filter((s) => s.generation === last && s.state === 'complete' && s.score !== undefined).sort((a, b) => sign * (a.score! - b.score!))[0];
}

/**
 * The Vega-Lite spec of one hyperparameter's schedule in a PBT run: a step line per member (the
 * value it trained each generation with), and in black the schedule the best final model went
 * through (its lineage across exploits). Log-scaled for log distributions.
 *
 * @example
 * ```ts
 * await writeVegaLite('pbt/lr', pbtScheduleSpec(pbtSteps(trials), 'lr', space.lr, 'maximize'));
 * ```
 */
export function pbtScheduleSpec(steps: readonly PbtStep[], param: string, distribution: Distribution, direction: Direction): VegaLiteSpec {
  const rows = steps.filter((s) => s.state === 'complete' && typeof s.hyperparameters[param] === 'number').map((s) => ({ generation: s.generation, value: s.hyperparameters[param] as number, member: `member ${s.member}` }));
  if (!rows.length) throw new StudyResultsError('PBT schedule chart', `no complete interval has a numeric '${param}'; pass a numeric hyperparameter of the run's space`);
  const best = bestFinal(steps, direction);
  const lineage = best ? pbtLineage(steps, best.member, best.generation).map((s) => ({ generation: s.generation, value: s.hyperparameters[param] as number })) : [];
  const x = { field: 'generation', type: 'quantitative', title: 'generation', axis: { tickMinStep: 1, format: 'd' } } as const;
  const log = distribution.kind !== 'categorical' && !!distribution.log;
  const y = { field: 'value', type: 'quantitative', title: param, scale: log ? ({ type: 'log' } as const) : ({ zero: false } as const) } as const;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: `${param} schedule per member (black: the best final model's lineage)`,
    width: 560,
    height: 300,
    background: 'white',
    config: STUDY_CHART_CONFIG,
    layer: [
      { data: { values: rows }, mark: { type: 'line', interpolate: 'step-after', opacity: 0.5 }, encoding: { x, y, color: { field: 'member', type: 'nominal', legend: { title: null } } } },
      { data: { values: lineage }, mark: { type: 'line', interpolate: 'step-after', color: 'black', strokeWidth: 2.5 }, encoding: { x, y } },
    ],
  };
}

/** The Vega-Lite spec of each member's score by generation; exploited intervals (that started from a copied checkpoint) as crosses. */
export function pbtScoreSpec(steps: readonly PbtStep[], direction: Direction): VegaLiteSpec {
  const rows = steps.filter((s) => s.state === 'complete' && s.score !== undefined && Number.isFinite(s.score)).map((s) => ({ generation: s.generation, score: s.score!, member: `member ${s.member}`, kind: s.exploited ? 'exploited (copied a better member)' : 'continued' }));
  if (!rows.length) throw new StudyResultsError('PBT score chart', 'no complete interval with a finite score yet');
  const x = { field: 'generation', type: 'quantitative', title: 'generation', axis: { tickMinStep: 1, format: 'd' } } as const;
  const y = { field: 'score', type: 'quantitative', title: `score (${direction})`, scale: { zero: false } } as const;
  const color = { field: 'member', type: 'nominal', legend: { title: null } } as const;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: 'score per member and generation',
    width: 560,
    height: 300,
    background: 'white',
    config: STUDY_CHART_CONFIG,
    data: { values: rows },
    layer: [
      { mark: { type: 'line', opacity: 0.6 }, encoding: { x, y, color } },
      { mark: { type: 'point', filled: true, size: 40 }, encoding: { x, y, color, shape: { field: 'kind', type: 'nominal', scale: { domain: ['continued', 'exploited (copied a better member)'], range: ['circle', 'cross'] }, legend: { title: null } } } },
    ],
  };
}

/**
 * Writes a PBT run's charts into `dir` (SVG + PNG each): `pbt-scores`, then `pbt-<param>` for
 * every numeric hyperparameter of `space`. Returns the paths.
 *
 * @example
 * ```ts
 * await writePbtCharts('runs/pbt/charts', await storage.getTrials('pbt-mnist'), space, 'maximize');
 * ```
 */
export async function writePbtCharts(dir: string, trials: readonly FrozenTrial[], space: Readonly<Record<string, Distribution>>, direction: Direction, options: { png?: PngOptions } = {}): Promise<string[]> {
  const steps = pbtSteps(trials);
  const specs: [string, VegaLiteSpec][] = [['pbt-scores', pbtScoreSpec(steps, direction)]];
  for (const [param, d] of Object.entries(space)) if (d.kind !== 'categorical') specs.push([`pbt-${param}`, pbtScheduleSpec(steps, param, d, direction)]);
  const paths: string[] = [];
  for (const [name, spec] of specs) {
    const out = await writeVegaLite(join(dir, name), spec, options.png);
    paths.push(out.svg, out.png);
  }
  return paths;
}
