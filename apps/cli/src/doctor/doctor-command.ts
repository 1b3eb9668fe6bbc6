import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { curvesFromRecords, diagnose, doctorReport, type Finding, type RunCurves } from '@anneal/diagnostics';
import { writeReport } from '@anneal/report';
import { CliError } from '../cli-error';
import { runPaths } from '../fit/run-dir';

/** What `anneal doctor` found. */
export interface DoctorSummary {
  dir: string;
  finished: boolean;
  epochs: number;
  steps: number;
  findings: Finding[];
  report?: { html: string; md: string };
}

function readJson(file: string): Record<string, unknown> | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new CliError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** The curves of a run folder (finished or still running) from its metrics.jsonl. */
export function runCurves(dir: string): RunCurves {
  const paths = runPaths(dir);
  if (!existsSync(paths.metrics)) throw new CliError(`${dir}: no metrics.jsonl; give a run folder written by \`anneal fit\`, \`anneal finetune\` or \`anneal recipe\` (runs/<name>)`);
  const records = readFileSync(paths.metrics, 'utf8')
    .split('\n')
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => line.trim())
    .map(({ line, i }) => {
      try {
        return JSON.parse(line) as unknown;
      } catch {
        throw new CliError(`${paths.metrics}:${i + 1}: not a JSON line; the file is damaged (was it edited?)`);
      }
    });
  const config = readJson(paths.config);
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
export async function doctorCommand(dir: string, options: { report?: boolean } = {}): Promise<DoctorSummary> {
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
