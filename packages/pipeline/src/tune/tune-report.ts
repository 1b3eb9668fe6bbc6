import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureDir, writeFileAtomic } from '@anneal/onnx';
import { writeReport, type ReportChart, type ReportDocument, type ReportSection } from '@anneal/report';
import { importanceSpec, optimizationHistorySpec, parallelCoordinatesSpec, sliceSpec, trialsTable, type Direction, type FrozenTrial } from '@anneal/search';
import { readJsonFile } from '../config/load-config.js';
import { runPaths } from '../run/run-paths.js';
import { formatCell } from './format-cell.js';

/** The best trial's run, copied to `<study>/best`: a run folder `anneal fit`, `evaluate`, `predict` and `doctor` take. */
export interface BestRun {
  dir: string;
  /** The trained model (from the best trial's model.onnx). */
  model: string;
  /** Its full fit config, named `<study>-best`: `anneal fit <study>/best/config.json` trains it again. */
  config: string;
}

/**
 * Copies the best trial's run folder files (config.json renamed `<study>-best`, model.onnx,
 * metrics.jsonl, summary.json, charts) into `<study>/best`, replacing an earlier best. Returns
 * undefined when the trial's folder is not on this machine (a worker elsewhere ran it).
 */
export function copyBestRun(studyDir: string, studyName: string, best: FrozenTrial): BestRun | undefined {
  const to = join(studyDir, 'best');
  rmSync(to, { recursive: true, force: true });
  return copyTrialRun(typeof best.userAttrs.dir === 'string' ? best.userAttrs.dir : undefined, to, `${studyName}-best`);
}

/**
 * Copies a run folder's files (config.json renamed `name`, model.onnx, metrics.jsonl,
 * summary.json, charts) into `to`; undefined when the folder (or its model) is not on this machine.
 */
export function copyTrialRun(dir: string | undefined, to: string, name: string): BestRun | undefined {
  const from = dir === undefined ? undefined : resolve(dir);
  if (!from || !existsSync(runPaths(from).model) || !existsSync(runPaths(from).config)) return undefined;
  ensureDir(to);
  const source = runPaths(from);
  const target = runPaths(to);
  const config = { ...(readJsonFile(source.config) as Record<string, unknown>), name };
  writeFileAtomic(target.config, JSON.stringify(config, null, 2) + '\n');
  for (const file of ['model', 'metrics', 'summary'] as const) if (existsSync(source[file])) copyFileSync(source[file], target[file]);
  if (existsSync(source.charts)) {
    ensureDir(target.charts);
    for (const name of ['loss', 'accuracy', 'lr']) for (const ext of ['svg', 'png']) if (existsSync(join(source.charts, `${name}.${ext}`))) copyFileSync(join(source.charts, `${name}.${ext}`), join(target.charts, `${name}.${ext}`));
  }
  return { dir: to, model: target.model, config: target.config };
}

/** What the study report shows besides the trials. */
export interface TuneReportInput {
  study: string;
  direction: Direction;
  metric: string;
  storage: string;
  trials: readonly FrozenTrial[];
  importance: readonly { param: string; importance: number }[];
  best?: FrozenTrial & { test?: { loss: number; accuracy?: number; count: number } };
  bestRun?: BestRun;
}

/** The study's report.html / report.md: the best trial and how to use it, the charts, importance and every trial. */
export function tuneReport(input: TuneReportInput): ReportDocument {
  const { trials, direction } = input;
  const count = (s: string) => trials.filter((t) => t.state === s).length;
  const complete = trials.filter((t) => t.state === 'complete');
  const sections: ReportSection[] = [];
  const best = input.best;
  sections.push({
    id: 'best',
    title: 'Best trial',
    status: best ? 'ok' : 'warning',
    paragraphs: best
      ? [
          `Trial ${best.number}: ${input.metric} ${formatCell(best.value)} (${direction}).${best.test?.accuracy !== undefined ? ` Its model on the test split (evaluated once, after training): accuracy ${(best.test.accuracy * 100).toFixed(2)}% on ${best.test.count} examples, loss ${best.test.loss.toFixed(4)}.` : ''}`,
          input.bestRun ? `Its run is copied to ${input.bestRun.dir}: model.onnx, and config.json, which \`anneal fit ${input.bestRun.config}\` trains again.` : 'Its run folder is not on this machine (a worker elsewhere ran it).',
        ]
      : ['No trial completed.'],
    ...(best ? { table: { columns: ['parameter', 'value'], rows: Object.entries(best.params).map(([k, v]) => [k, formatCell(v)]) } } : {}),
  });
  sections.push({
    id: 'study',
    title: 'Study',
    status: 'info',
    bullets: [`${trials.length} trials: ${count('complete')} complete, ${count('pruned')} pruned, ${count('fail')} failed${count('running') ? `, ${count('running')} running` : ''}`, `objective: ${input.metric} (${direction})`, `storage: ${input.storage}`],
  });
  if (complete.length) {
    const charts: ReportChart[] = [{ name: 'optimization-history', title: 'Optimization history', spec: optimizationHistorySpec(trials, direction), caption: 'Each trial\'s value; pruned trials grey with the last value they reported; the best so far as a step line.' }];
    if (Object.keys(complete[0]!.params).length) {
      charts.push({ name: 'parallel-coordinates', title: 'Parameters and value', spec: parallelCoordinatesSpec(trials, direction) });
      charts.push({ name: 'slice', title: 'Value by parameter', spec: sliceSpec(trials, direction) });
    }
    if (input.importance.length) charts.push({ name: 'importance', title: 'Parameter importance', spec: importanceSpec([...input.importance]) });
    sections.push({ id: 'charts', title: 'Charts', status: 'info', charts });
  }
  const table = trialsTable(trials, direction);
  sections.push({ id: 'trials', title: 'Trials', status: 'info', table: { columns: table.columns, rows: table.rows.map((r) => r.map((c) => (c === null ? '' : typeof c === 'number' ? Number(c.toPrecision(5)) : String(c)))) } });
  return { title: `Study ${input.study}`, subtitle: `${input.metric}, ${direction}`, generatedAt: new Date().toISOString(), sections };
}

/** Writes `<study>/report.html`, `report.md` and the charts (`<study>/charts/*.svg` and `.png`). */
export async function writeTuneReport(dir: string, input: TuneReportInput): Promise<{ html: string; md: string; charts: string[] }> {
  const out = await writeReport(dir, tuneReport(input));
  return { html: out.html, md: out.md, charts: out.charts.map((c) => c.svg) };
}
