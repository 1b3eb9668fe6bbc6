import { Subject, type Observable } from 'rxjs';
import { applyFindings, type ApplyLimits } from './apply-findings.js';
import { coarseGrid, gridLearningRates, type GridResult } from './coarse-grid.js';
import type { DoctorOptions } from './doctor.js';
import { checkInitialLoss, type InitialLossResult } from './initial-loss.js';
import { probeLearningRates, type LrProbeResult } from './lr-probe.js';
import { overfitSmallSample, type OverfitResult } from './overfit-sample.js';
import { lrRangeTest, type RangeTestResult } from './range-test.js';
import { refineBest, runAndDiagnose, type RefinedRun } from './refine.js';
import type { FitRunner, ProbeTarget } from './target.js';

/** The recipe's steps, in order. */
export const RECIPE_STEPS = ['initial-loss', 'overfit', 'lr-probe', 'range-test', 'grid', 'refine', 'repeat'] as const;
export type RecipeStep = (typeof RECIPE_STEPS)[number];

/** One round of step 7: the doctor's suggestions applied to the best run so far. */
export interface RepeatRound {
  readonly changes: readonly string[];
  readonly run: RefinedRun;
  readonly improved: boolean;
}

/** Everything the recipe found so far; saved after every step, so a run can stop and resume. */
export interface RecipeState {
  readonly version: 1;
  initialLoss?: InitialLossResult;
  overfit?: OverfitResult;
  lrProbe?: LrProbeResult;
  rangeTest?: RangeTestResult;
  grid?: GridResult;
  refine?: readonly RefinedRun[];
  repeat?: readonly RepeatRound[];
  /** Steps done, in order. */
  done: RecipeStep[];
  /** Set when a step ended the recipe (the model cannot fit, no lr learns...). */
  halted?: { step: RecipeStep; reason: string };
}

/** Options of the recipe; each step's defaults are those of its function. */
export interface RecipeOptions {
  /** The configured learning rate (used by the small-sample overfit). */
  lr: number;
  /** Epoch metric and direction used to compare runs (defaults val.accuracy, maximize). */
  monitor?: string;
  direction?: 'maximize' | 'minimize';
  /** Stop after this step (it is saved; a later call with the state goes on from there). */
  until?: RecipeStep;
  initialLoss?: { batches?: number; tolerance?: number };
  overfit?: { batches?: number; maxSteps?: number; targetAccuracy?: number };
  lrProbe?: { lrs?: number[]; iterations?: number; weightDecay?: number; minDrop?: number };
  rangeTest?: { start?: number; end?: number; steps?: number };
  grid?: { lrs?: number[]; weightDecays?: number[]; epochs?: number; concurrency?: number; prune?: boolean; around?: number };
  refine?: { top?: number; epochs?: number; normsEvery?: number };
  repeat?: { rounds?: number } & ApplyLimits;
  doctor?: DoctorOptions;
}

/** What the recipe emits while it runs. */
export type RecipeEvent =
  | { readonly type: 'step:start'; readonly step: RecipeStep }
  | { readonly type: 'step:end'; readonly step: RecipeStep; readonly status: 'ok' | 'warning' | 'halt'; readonly summary: string }
  | { readonly type: 'step:skip'; readonly step: RecipeStep; readonly reason: string }
  | { readonly type: 'progress'; readonly step: RecipeStep; readonly done: number; readonly total: number; readonly label: string }
  | { readonly type: 'recipe:end'; readonly halted?: { step: RecipeStep; reason: string }; readonly best?: RefinedRun };

/** The best run of the refine and repeat steps, by the monitored value. */
export function bestRun(state: RecipeState, direction: 'maximize' | 'minimize' = 'maximize'): RefinedRun | undefined {
  const runs = [...(state.refine ?? []), ...(state.repeat ?? []).map((r) => r.run)].filter((r) => Number.isFinite(r.value));
  const sign = direction === 'maximize' ? 1 : -1;
  return runs.reduce<RefinedRun | undefined>((best, r) => (!best || sign * (r.value - best.value) > 0 ? r : best), undefined);
}

const fmtLr = (x: number) => x.toExponential(1).replace('e-', 'e-').replace('.0e', 'e');

/**
 * The tuning recipe practitioners follow, run in order: initial-loss check, overfit a small
 * sample, learning-rate probe, range test, coarse grid (lr x weight decay, a few epochs, pruned),
 * refine the best few longer without decay (each diagnosed by the doctor), then repeat with the
 * doctor's suggestions applied (or, when it found nothing to fix, with a cosine lr decay). Every
 * step emits events and is saved through `save`, so the
 * recipe can stop after any step (`until`) and resume from a saved state.
 *
 * @example
 * const recipe = new Recipe(target, runner, { lr: 1e-3 });
 * recipe.events$.subscribe((e) => console.log(e));
 * const state = await recipe.run(undefined, (s) => writeFileSync('recipe.json', JSON.stringify(s)));
 */
export class Recipe {
  private readonly subject = new Subject<RecipeEvent>();
  readonly events$: Observable<RecipeEvent> = this.subject.asObservable();

  constructor(
    private readonly target: ProbeTarget,
    private readonly runner: FitRunner,
    private readonly options: RecipeOptions,
  ) {}

  private get monitor(): string {
    return this.options.monitor ?? 'val.accuracy';
  }

  private get direction(): 'maximize' | 'minimize' {
    return this.options.direction ?? 'maximize';
  }

  /** Runs the steps not yet in `state` (a fresh recipe when absent), calling `save` after each. */
  async run(state?: RecipeState, save: (state: RecipeState) => void | Promise<void> = () => undefined): Promise<RecipeState> {
    const s: RecipeState = state ? { ...state, done: [...state.done] } : { version: 1, done: [] };
    for (const step of RECIPE_STEPS) {
      if (s.halted) break;
      if (s.done.includes(step)) {
        this.subject.next({ type: 'step:skip', step, reason: 'done in an earlier session' });
      } else {
        this.subject.next({ type: 'step:start', step });
        const { status, summary } = await this.runStep(step, s);
        s.done.push(step);
        if (status === 'halt') s.halted = { step, reason: summary };
        await save(s);
        this.subject.next({ type: 'step:end', step, status, summary });
      }
      if (step === this.options.until) break;
    }
    this.subject.next({ type: 'recipe:end', halted: s.halted, best: bestRun(s, this.direction) });
    this.subject.complete();
    return s;
  }

  private async runStep(step: RecipeStep, s: RecipeState): Promise<{ status: 'ok' | 'warning' | 'halt'; summary: string }> {
    const o = this.options;
    switch (step) {
      case 'initial-loss': {
        const r = (s.initialLoss = await checkInitialLoss(this.target, o.initialLoss));
        return { status: r.ok ? 'ok' : 'warning', summary: r.verdict };
      }
      case 'overfit': {
        const r = (s.overfit = await overfitSmallSample(this.target, { lr: o.lr, ...o.overfit }));
        return { status: r.reached ? 'ok' : 'halt', summary: r.verdict };
      }
      case 'lr-probe': {
        const r = (s.lrProbe = await probeLearningRates(this.target, o.lrProbe));
        if (!r.kept.length) return { status: 'halt', summary: `no learning rate of ${r.runs.map((x) => fmtLr(x.lr)).join(', ')} made the loss drop in ${r.iterations} steps` };
        return { status: 'ok', summary: `kept ${r.kept.map(fmtLr).join(', ')} of ${r.runs.map((x) => fmtLr(x.lr)).join(', ')}; best ${fmtLr(r.best!)}` };
      }
      case 'range-test': {
        const r = (s.rangeTest = await lrRangeTest(this.target, o.rangeTest));
        return r.suggested !== undefined
          ? { status: 'ok', summary: `steepest descent at lr ${fmtLr(r.suggested)}; minimum at ${fmtLr(r.minimum!)} (/10: ${fmtLr(r.minimumOver10!)})` }
          : { status: 'warning', summary: 'the range test found no descending stretch of the loss' };
      }
      case 'grid': {
        const lrs = o.grid?.lrs ?? gridLearningRates(s.lrProbe!, s.rangeTest, { around: o.grid?.around });
        const total = lrs.length * (o.grid?.weightDecays ?? [1e-4, 1e-5, 0]).length;
        const r = (s.grid = await coarseGrid(this.runner, {
          ...o.grid,
          lrs,
          monitor: this.monitor,
          direction: this.direction,
          onCell: (cell, done) => this.subject.next({ type: 'progress', step, done, total, label: `${cell.label} lr ${fmtLr(cell.lr)} wd ${cell.weightDecay}: ${cell.state}${cell.value !== undefined ? ` ${cell.value.toFixed(4)}` : ''}` }),
        }));
        const best = r.ranking[0];
        if (!best) return { status: 'halt', summary: `no grid cell completed (${r.cells.length} cells)` };
        const pruned = r.cells.filter((c) => c.state === 'pruned').length;
        return { status: 'ok', summary: `${r.cells.length} cells (${pruned} pruned); best lr ${fmtLr(best.lr)}, weight decay ${best.weightDecay}: ${this.monitor} ${best.value!.toFixed(4)}` };
      }
      case 'refine': {
        const top = s.grid!.ranking.slice(0, o.refine?.top ?? 3);
        const runs = (s.refine = await refineBest(this.runner, top, {
          ...o.refine,
          monitor: this.monitor,
          doctor: o.doctor,
          onRun: (run, done, total) => this.subject.next({ type: 'progress', step, done, total, label: `${run.label}: ${this.monitor} ${run.value.toFixed(4)}` }),
        }));
        const best = bestRun(s, this.direction)!;
        const issues = runs.flatMap((r) => r.findings).filter((f) => f.severity !== 'info').length;
        return { status: issues ? 'warning' : 'ok', summary: `${runs.length} runs of ${runs[0]?.epochs} epochs; best ${best.label} (lr ${fmtLr(best.lr)}, wd ${best.weightDecay}): ${this.monitor} ${best.value.toFixed(4)}; ${issues} findings` };
      }
      case 'repeat': {
        const rounds: RepeatRound[] = [];
        s.repeat = rounds;
        const max = o.repeat?.rounds ?? 1;
        for (let i = 0; i < max; i++) {
          const base = bestRun(s, this.direction);
          if (!base) break;
          const settings = { lr: base.lr, weightDecay: base.weightDecay, epochs: base.epochs, lrSchedule: base.lrSchedule, capacity: base.capacity };
          // with nothing to fix, the recipe's usual last move: the constant-lr run again with its lr decayed to 0 over the run
          const applied = applyFindings(settings, base.findings, o.repeat) ?? (base.lrSchedule === 'constant' ? { settings: { ...settings, lrSchedule: 'cosine' as const }, changes: ['no finding to act on: the usual last step, a cosine decay of the lr over the run'] } : undefined);
          if (!applied) break;
          const run = await runAndDiagnose(this.runner, { label: `repeat-${i + 1}`, ...applied.settings, monitor: this.monitor, normsEvery: o.refine?.normsEvery ?? 20 }, `${base.label} with: ${applied.changes.join('; ')}`, o.doctor);
          const improved = this.direction === 'maximize' ? run.value > base.value : run.value < base.value;
          rounds.push({ changes: applied.changes, run, improved });
          this.subject.next({ type: 'progress', step, done: i + 1, total: max, label: `${run.label}: ${this.monitor} ${run.value.toFixed(4)} (${improved ? 'better' : 'not better'})` });
        }
        if (!rounds.length) return { status: 'ok', summary: 'the doctor had nothing to apply to the best run' };
        const best = bestRun(s, this.direction)!;
        return { status: 'ok', summary: `${rounds.length} round(s): ${rounds.map((r) => `${r.run.label} ${r.improved ? 'improved' : 'did not improve'} (${this.monitor} ${r.run.value.toFixed(4)})`).join('; ')}; best ${best.label}` };
      }
    }
  }
}
