import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeReport, type ReportDocument, type ReportSection } from '@anneal/report';
import { objectiveValues, paretoFrontSpec, trialsHypervolume, type FrozenTrial } from '@anneal/search';
import type { Objective } from '../config/tune-config.js';
import { formatCell } from './format-cell.js';
import { copyTrialRun, type BestRun } from './tune-report.js';

/** A trial of a multi-objective study's Pareto front, as summary.json lists it. */
export interface FrontTrial {
  number: number;
  /** One value per objective, in the config's order. */
  values: number[];
  params: Record<string, unknown>;
  /** Its model on the test split (evaluated once, after training; not used to select). */
  test?: { loss: number; accuracy?: number; count: number };
  /** Its run copied to `<study>/front/trial-<n>` (model.onnx, a config `anneal fit` re-runs); absent when another machine ran it. */
  run?: BestRun;
}

/** The front trials of a study (sorted by the first objective, best first), with their runs copied to `<study>/front/trial-<n>` (the folder is replaced). */
export function frontTrials(studyDir: string, studyName: string, front: readonly FrozenTrial[], objectives: readonly Objective[]): FrontTrial[] {
  const root = join(studyDir, 'front');
  rmSync(root, { recursive: true, force: true });
  const sign = objectives[0]!.direction === 'minimize' ? 1 : -1;
  return [...front]
    .sort((a, b) => sign * (objectiveValues(a)![0]! - objectiveValues(b)![0]!) || a.number - b.number)
    .map((t) => {
      const run = copyTrialRun(typeof t.userAttrs.dir === 'string' ? t.userAttrs.dir : undefined, join(root, `trial-${t.number}`), `${studyName}-front-${t.number}`);
      const test = t.userAttrs.test as FrontTrial['test'];
      return { number: t.number, values: [...objectiveValues(t)!], params: { ...t.params }, ...(test ? { test } : {}), ...(run ? { run } : {}) };
    });
}

/** Every trial as table rows: number, state, one column per objective, duration, the parameters, and whether it is on the front. */
export function multiTrialsTable(trials: readonly FrozenTrial[], objectives: readonly Objective[], front: ReadonlySet<number>): { columns: string[]; rows: string[][] } {
  const params = [...new Set(trials.flatMap((t) => Object.keys(t.params)))];
  const sorted = [...trials].sort((a, b) => a.number - b.number);
  return {
    columns: ['number', 'state', ...objectives.map((o) => o.metric), 'duration', ...params, 'front'],
    rows: sorted.map((t) => [
      String(t.number),
      t.state,
      ...objectives.map((_, i) => formatCell(t.values?.[i])),
      t.startedAt !== undefined && t.completedAt !== undefined ? `${((t.completedAt - t.startedAt) / 1000).toFixed(1)}s` : '',
      ...params.map((p) => (p in t.params ? formatCell(t.params[p]) : '')),
      front.has(t.number) ? '*' : '',
    ]),
  };
}

/** The trials table as aligned text for a terminal (front trials marked with `*`), at most `limit` rows. */
export function formatMultiTrialsTable(trials: readonly FrozenTrial[], objectives: readonly Objective[], front: ReadonlySet<number>, limit = 40): string {
  const table = multiTrialsTable(trials, objectives, front);
  const shown = table.rows.slice(0, limit);
  const text = [table.columns, ...shown];
  const widths = table.columns.map((_, i) => Math.max(...text.map((r) => r[i]!.length)));
  const lines = text.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  if (shown.length < table.rows.length) lines.push(`... ${table.rows.length - shown.length} more trials`);
  lines.push(`* on the Pareto front (${front.size} trial${front.size === 1 ? '' : 's'}; ${objectives.map((o) => `${o.metric} ${o.direction}`).join(', ')})`);
  return lines.join('\n');
}

/** The hypervolume of a multi-objective study and the reference point it was measured against. */
export interface FrontHypervolume {
  value: number;
  reference: number[];
  /** `config`: the tune config's referencePoint; `default`: each objective's worst complete trial pushed 10% of its range further. */
  source: 'config' | 'default';
}

/** The hypervolume of the complete trials, against `reference` or the default point; undefined before any trial completed. */
export function frontHypervolume(trials: readonly FrozenTrial[], objectives: readonly Objective[], reference?: readonly number[]): FrontHypervolume | undefined {
  const hv = trialsHypervolume(trials, objectives.map((o) => o.direction), reference);
  return hv && { value: hv.value, reference: hv.reference, source: hv.defaulted ? 'default' : 'config' };
}

/** What the report of a multi-objective study shows. */
export interface FrontReportInput {
  study: string;
  objectives: readonly Objective[];
  storage: string;
  trials: readonly FrozenTrial[];
  front: readonly FrontTrial[];
  hypervolume?: FrontHypervolume;
}

/** The report.html / report.md of a multi-objective study: the Pareto front (chart and table), the study, and every trial. */
export function frontReport(input: FrontReportInput): ReportDocument {
  const { trials, objectives, front } = input;
  const count = (s: string) => trials.filter((t) => t.state === s).length;
  const params = [...new Set(front.flatMap((t) => Object.keys(t.params)))];
  const names = objectives.map((o) => o.metric);
  const sections: ReportSection[] = [];
  sections.push({
    id: 'front',
    title: 'Pareto front',
    status: front.length ? 'ok' : 'warning',
    paragraphs: front.length
      ? [
          `${front.length} of ${count('complete')} complete trials are on the Pareto front: no other trial is at least as good in every objective (${objectives.map((o) => `${o.metric}, ${o.direction}`).join('; ')}) and better in one. Trials selected on the validation split; the test accuracy of each front model was evaluated once, after its training.`,
          ...(input.hypervolume ? [`Hypervolume ${Number(input.hypervolume.value.toPrecision(6))} against the reference point [${input.hypervolume.reference.map((v) => Number(v.toPrecision(6))).join(', ')}] (${input.hypervolume.source === 'config' ? 'the config\'s referencePoint' : 'default: each objective\'s worst complete trial pushed 10% of its range further; set referencePoint in the tune config to compare studies'}).`] : []),
          front.some((t) => t.run) ? `Each front trial's run is copied to front/trial-<n>: model.onnx, and config.json, which \`anneal fit\` trains again.` : 'The front trials ran on other machines; their run folders are not here.',
        ]
      : ['No trial completed.'],
    ...(front.length
      ? {
          table: { columns: ['trial', ...names, 'test accuracy', ...params], rows: front.map((t) => [t.number, ...t.values.map((v) => Number(v.toPrecision(5))), t.test?.accuracy !== undefined ? `${(t.test.accuracy * 100).toFixed(2)}%` : '', ...params.map((p) => formatCell(t.params[p]))]) },
          charts: [{ name: 'pareto-front', title: 'Pareto front', spec: paretoFrontSpec(trials, objectives.map((o) => o.direction), { objectiveNames: names }), caption: 'Every complete trial (grey) and the non-dominated ones (orange), joined in the order of the first objective.' }],
        }
      : {}),
  });
  sections.push({
    id: 'study',
    title: 'Study',
    status: 'info',
    bullets: [`${trials.length} trials: ${count('complete')} complete, ${count('fail')} failed${count('running') ? `, ${count('running')} running` : ''}`, `objectives: ${objectives.map((o) => `${o.metric} (${o.direction})`).join(', ')}`, `storage: ${input.storage}`],
  });
  const table = multiTrialsTable(trials, objectives, new Set(front.map((t) => t.number)));
  sections.push({ id: 'trials', title: 'Trials', status: 'info', table });
  return { title: `Study ${input.study}`, subtitle: objectives.map((o) => `${o.metric} ${o.direction}`).join(', '), generatedAt: new Date().toISOString(), sections };
}

/** Writes `<study>/report.html`, `report.md` and the Pareto chart (`<study>/charts/pareto-front.svg` and `.png`). */
export async function writeFrontReport(dir: string, input: FrontReportInput): Promise<{ html: string; md: string; charts: string[] }> {
  const out = await writeReport(dir, frontReport(input));
  return { html: out.html, md: out.md, charts: out.charts.map((c) => c.svg) };
}
