/**
 * @anneal/diagnostics: the tuning recipe practitioners follow, run for them, and a doctor that
 * reads learning curves.
 *
 * - Each recipe step works alone: {@link checkInitialLoss}, {@link overfitSmallSample},
 *   {@link probeLearningRates}, {@link lrRangeTest}, {@link coarseGrid}, {@link refineBest};
 *   {@link Recipe} runs them in order with events, saving its state after every step.
 * - {@link diagnose} reads {@link RunCurves} (from a live Trainer via {@link CurveRecorder}, or
 *   a run folder's metrics.jsonl via {@link curvesFromRecords}) and returns findings with evidence.
 * - {@link doctorReport} and {@link recipeReport} lay the results out as @anneal/report documents.
 *
 * @example
 * ```ts
 * const curves = curvesFromRecords(lines.map((l) => JSON.parse(l)), { plannedEpochs: 10, finished: true });
 * console.log(formatFindings(diagnose(curves)));
 * ```
 */
export type { RunCurves, EpochPoint, BatchPoint, RatioPoint, Divergence } from './curves.js';
export type { LossInfo, ProbeSession, ProbeTarget, FitRequest, FitOutcome, FitRunner } from './target.js';
export { DiagnosticsError, CurvesError } from './errors.js';
export { curvesFromRecords, type CurvesInfo } from './curves-from-records.js';
export { CurveRecorder } from './record-curves.js';
export { formatFindings, findingsMarkdown, type Finding, type FindingAction, type Severity, type TensorRatio, type FormatFindingsOptions } from './findings.js';
export { diagnose, defaultRules, defaultThresholds, type DoctorRule, type DoctorOptions, type DoctorThresholds, type DoctorContext } from './doctor.js';
export { emaSmooth, median, movingMedian, leastSquaresSlope } from './smooth.js';
export { expectedInitialLoss, checkInitialLoss, type InitialLossOptions, type InitialLossResult } from './initial-loss.js';
export { overfitSmallSample, type OverfitOptions, type OverfitResult } from './overfit-sample.js';
export { probeLearningRates, type LrProbeOptions, type LrProbeRun, type LrProbeResult } from './lr-probe.js';
export { lrRangeTest, type RangeTestOptions, type RangeTestResult } from './range-test.js';
export { coarseGrid, gridLearningRates, type GridOptions, type GridCell, type GridResult } from './coarse-grid.js';
export { refineBest, runAndDiagnose, type RefinedRun, type RefineOptions } from './refine.js';
export { applyFindings, type Adjustable, type ApplyLimits } from './apply-findings.js';
export { Recipe, RECIPE_STEPS, bestRun, type RecipeStep, type RecipeState, type RecipeOptions, type RecipeEvent, type RepeatRound } from './recipe.js';
export { sessionTarget, type SessionTargetOptions } from './session-target.js';
export { trainerRunner, type BuiltRun } from './trainer-runner.js';
export { doctorReport, runCharts, epochTable, describeCurves, thin } from './run-report.js';
export { recipeReport } from './recipe-report.js';
