import type { RunCurves } from './curves.js';
import { doctorContext, type DoctorContext } from './doctor-context.js';
import { resolveThresholds, type DoctorThresholds } from './doctor-thresholds.js';
import type { Finding, Severity } from './findings.js';
import { decayedTooEarlyRule } from './rules/decayed-too-early.js';
import { divergedRule } from './rules/diverged.js';
import { lrTooHighRule } from './rules/lr-too-high.js';
import { lrTooLowRule } from './rules/lr-too-low.js';
import { overfittingRule } from './rules/overfitting.js';
import { trainLongerRule } from './rules/train-longer.js';
import { underfittingRule } from './rules/underfitting.js';
import { updateRatioRule } from './rules/update-ratio.js';

export type { DoctorContext } from './doctor-context.js';
export { defaultThresholds, type DoctorThresholds } from './doctor-thresholds.js';

/**
 * One check of the learning-curve doctor: reads the curves (and the shared context) and returns
 * its findings, none when the curves look fine or are too short to tell.
 *
 * @example
 * ```ts
 * const tooFewEpochs: DoctorRule = {
 *   id: 'too-few-epochs',
 *   check: (curves) => (curves.epochs.length < 3 ? [{ id: 'too-few-epochs', severity: 'info', title: 'Very short run', evidence: [`${curves.epochs.length} epoch(s)`], suggestion: 'Train at least 3 epochs.' }] : []),
 * };
 * diagnose(curves, { rules: [...defaultRules(), tooFewEpochs] });
 * ```
 */
export interface DoctorRule {
  readonly id: string;
  check(curves: RunCurves, ctx: DoctorContext): Finding[];
}

/** Thresholds (see {@link DoctorThresholds}, defaults in {@link defaultThresholds}) and the rules to run (default {@link defaultRules}). */
export interface DoctorOptions extends DoctorThresholds {
  readonly rules?: readonly DoctorRule[];
}

/**
 * The built-in rules, in report order: diverged, lr-too-low, lr-too-high, decayed-too-early,
 * overfitting, underfitting, train-longer, update-ratio.
 *
 * @example
 * ```ts
 * diagnose(curves, { rules: defaultRules().filter((r) => r.id !== 'train-longer') });
 * ```
 */
export function defaultRules(): DoctorRule[] {
  return [divergedRule, lrTooLowRule, lrTooHighRule, decayedTooEarlyRule, overfittingRule, underfittingRule, trainLongerRule, updateRatioRule];
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * Runs the doctor's rules over a run's learning curves and returns their findings ordered
 * error > warning > info (rule order within a severity).
 *
 * @throws DiagnosticsError for an invalid threshold.
 * @example
 * ```ts
 * const curves = curvesFromRecords(lines, { plannedEpochs: 10, classes: 10 });
 * console.log(formatFindings(diagnose(curves, { targetAccuracy: 0.98 })));
 * ```
 */
export function diagnose(curves: RunCurves, options: DoctorOptions = {}): Finding[] {
  const { rules = defaultRules(), ...thresholds } = options;
  const ctx = doctorContext(curves, resolveThresholds(thresholds));
  const findings = rules.flatMap((rule) => rule.check(curves, ctx));
  return findings.map((f, i) => ({ f, i })).sort((a, b) => RANK[a.f.severity] - RANK[b.f.severity] || a.i - b.i).map(({ f }) => f);
}
