import type { RunCurves } from './curves.js';
import { diagnose, type DoctorOptions } from './doctor.js';
import type { Finding } from './findings.js';
import type { FitRequest, FitRunner } from './target.js';

/** One longer run of a promising configuration, with the doctor's reading of its curves. */
export interface RefinedRun {
  readonly label: string;
  readonly lr: number;
  readonly weightDecay: number;
  readonly epochs: number;
  readonly lrSchedule: FitRequest['lrSchedule'];
  readonly capacity: number;
  readonly value: number;
  readonly test?: { readonly loss: number; readonly accuracy?: number; readonly count: number };
  readonly curves: RunCurves;
  readonly findings: readonly Finding[];
  readonly seconds: number;
  /** Why this run was made (grid rank, or the findings applied). */
  readonly origin: string;
}

/** Runs one configuration to the end and diagnoses it. */
export async function runAndDiagnose(runner: FitRunner, request: FitRequest, origin: string, doctor?: DoctorOptions): Promise<RefinedRun> {
  const outcome = await runner(request);
  return {
    label: request.label,
    lr: request.lr,
    weightDecay: request.weightDecay,
    epochs: request.epochs,
    lrSchedule: request.lrSchedule,
    capacity: request.capacity ?? 1,
    value: outcome.value,
    test: outcome.test,
    curves: outcome.curves,
    findings: diagnose(outcome.curves, doctor),
    seconds: outcome.seconds,
    origin,
  };
}

/** Options of {@link refineBest}. */
export interface RefineOptions {
  /** Epochs of each longer run (default 10). */
  epochs?: number;
  monitor: string;
  /** Compute update/weight ratios every N steps (default 20). */
  normsEvery?: number;
  doctor?: DoctorOptions;
  onRun?: (run: RefinedRun, done: number, total: number) => void;
}

/**
 * Step 5 of the recipe: the best few configurations of the grid trained longer with a constant
 * learning rate (no decay, so the curves show what the lr itself does), each read by the doctor.
 *
 * @example
 * const runs = await refineBest(runner, grid.ranking.slice(0, 3), { epochs: 10, monitor: 'val.accuracy' });
 */
export async function refineBest(runner: FitRunner, candidates: readonly { lr: number; weightDecay: number }[], options: RefineOptions): Promise<RefinedRun[]> {
  const runs: RefinedRun[] = [];
  for (const [i, c] of candidates.entries()) {
    const request: FitRequest = { label: `refine-${i + 1}`, lr: c.lr, weightDecay: c.weightDecay, epochs: options.epochs ?? 10, lrSchedule: 'constant', monitor: options.monitor, normsEvery: options.normsEvery ?? 20 };
    const run = await runAndDiagnose(runner, request, `grid rank ${i + 1}`, options.doctor);
    runs.push(run);
    options.onRun?.(run, runs.length, candidates.length);
  }
  return runs;
}
