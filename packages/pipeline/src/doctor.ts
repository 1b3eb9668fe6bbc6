import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { curvesFromRecords, diagnose, doctorReport, type Finding, type RunCurves } from '@anneal/diagnostics';
import { writeReport } from '@anneal/report';
import { readJsonFile } from './config/load-config.js';
import { ConfigError } from './errors.js';
import { readMetrics } from './loggers/metrics-jsonl.js';
import { runPaths } from './run/run-paths.js';

/** What `anneal doctor` found. */
export interface DoctorSummary {
  dir: string;
  finished: boolean;
  epochs: number;
  steps: number;
  findings: Finding[];
  report?: { html: string; md: string };
  /** For a folder of phases (an `anneal finetune` LP-FT run: probe/, finetune/): each phase's own diagnosis, in order. */
  phases?: (DoctorSummary & { phase: string })[];
}

/** The phase subfolders of a run folder that has no metrics.jsonl of its own (finetune's probe/ and finetune/), in the order they ran. */
function phaseFolders(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const order = ['probe', 'finetune'];
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(runPaths(join(dir, d.name)).metrics))
    .map((d) => d.name)
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The curves of a run folder (finished or still running) from its metrics.jsonl. */
export function runCurves(dir: string): RunCurves {
  const paths = runPaths(dir);
  if (!existsSync(paths.metrics)) throw new ConfigError(`${dir}: no metrics.jsonl; give a run folder written by \`anneal fit\`, \`anneal finetune\`, \`anneal tune\` (trials/<n>) or \`anneal recipe\` (runs/<name>)`);
  const records = readMetrics(paths.metrics);
  const config = existsSync(paths.config) ? (readJsonFile(paths.config) as Record<string, unknown>) : undefined;
  const train = config?.train as { epochs?: number } | undefined;
  const hasError = records.some((r) => (r as { kind?: string }).kind === 'error');
  return curvesFromRecords(records, { plannedEpochs: train?.epochs, finished: existsSync(paths.summary) || hasError });
}

/**
 * `anneal doctor <run-dir>`: reads a run's learning curves and diagnoses them (lr too low or too
 * high, decayed too early, overfitting, underfitting, train longer, divergence, update/weight
 * ratios), each finding with its evidence; writes `<run-dir>/doctor/report.html` and `.md` with
 * the charts unless `report` is false.
 */
export async function doctor(dir: string, options: { report?: boolean } = {}): Promise<DoctorSummary> {
  const phases = existsSync(runPaths(dir).metrics) ? [] : phaseFolders(dir);
  if (phases.length) {
    const each: (DoctorSummary & { phase: string })[] = [];
    for (const phase of phases) each.push({ phase, ...(await doctor(join(dir, phase), options)) });
    return { dir, finished: each.every((p) => p.finished), epochs: each.reduce((n, p) => n + p.epochs, 0), steps: each.reduce((n, p) => n + p.steps, 0), findings: [], phases: each };
  }
  const curves = runCurves(dir);
  const findings = diagnose(curves);
  const summary: DoctorSummary = { dir, finished: curves.finished, epochs: curves.epochs.length, steps: curves.batches.length, findings };
  if (options.report !== false) {
    const out = join(dir, 'doctor');
    await writeReport(out, doctorReport(curves, findings, { title: `Doctor: ${dir}` }));
    summary.report = { html: join(out, 'report.html'), md: join(out, 'report.md') };
  }
  return summary;
}
