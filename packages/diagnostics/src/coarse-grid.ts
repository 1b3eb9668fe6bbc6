import { createStudy, GridSampler, MedianPruner, NopPruner, pruningCallback, TrialPruned, type FrozenTrial } from '@anneal/search';
import type { LrProbeResult } from './lr-probe.js';
import type { RangeTestResult } from './range-test.js';
import type { FitOutcome, FitRunner } from './target.js';

/** Options of {@link coarseGrid}. */
export interface GridOptions {
  lrs: readonly number[];
  /** Default 1e-4, 1e-5, 0. */
  weightDecays?: readonly number[];
  /** Epochs per cell (default 2). */
  epochs?: number;
  /** Epoch metric to compare cells by, and its direction (defaults val.accuracy, maximize). */
  monitor?: string;
  direction?: 'maximize' | 'minimize';
  /** Cells trained at once in this process (default 1). */
  concurrency?: number;
  /** Median pruning at epoch ends before the last, once 3 cells are complete (default true; off for 1-epoch cells). */
  prune?: boolean;
  /** Order in which cells are visited (shuffled with this seed, so pruning compares a spread of cells). */
  seed?: number;
  /** Called as each cell ends. */
  onCell?: (cell: GridCell, done: number, total: number) => void;
}

/** One cell of the grid. */
export interface GridCell {
  readonly label: string;
  readonly lr: number;
  readonly weightDecay: number;
  readonly state: 'complete' | 'pruned' | 'failed';
  /** The monitored metric at the cell's last epoch. */
  readonly value?: number;
  readonly epochs: number;
  readonly seconds: number;
  readonly error?: string;
}

/** The grid's cells, complete ones ranked best first. */
export interface GridResult {
  readonly cells: readonly GridCell[];
  readonly ranking: readonly GridCell[];
  readonly monitor: string;
  readonly direction: 'maximize' | 'minimize';
  readonly epochs: number;
}

const round = (x: number) => Number(x.toPrecision(2));

/**
 * The learning rates of the coarse grid: around the probe's kept rates (the best `around` of them,
 * each times 1/3, 1 and 3), plus the range test's suggestion; sorted, duplicates removed.
 *
 * @example gridLearningRates(probe); // [3.3e-4, 1e-3, 3e-3, 3.3e-3, 1e-2, 3e-2]
 */
export function gridLearningRates(probe: LrProbeResult, range?: RangeTestResult, options: { around?: number; factors?: readonly number[] } = {}): number[] {
  const factors = options.factors ?? [1 / 3, 1, 3];
  const kept = probe.runs.filter((r) => r.kept).sort((a, b) => a.final - b.final).slice(0, options.around ?? 2);
  const lrs = new Set<number>();
  for (const r of kept) for (const f of factors) lrs.add(round(r.lr * f));
  if (range?.suggested !== undefined) lrs.add(round(range.suggested));
  return [...lrs].sort((a, b) => a - b);
}

/**
 * Step 4 of the recipe: every (learning rate, weight decay) cell trained for a few epochs through
 * an @anneal/search study (grid sampler, median pruning, cells in parallel with `concurrency`).
 *
 * @example
 * const grid = await coarseGrid(runner, { lrs: [1e-3, 3e-3, 1e-2], epochs: 2 });
 * grid.ranking[0]; // { lr: 3e-3, weightDecay: 1e-5, value: 0.962, ... }
 */
export async function coarseGrid(runner: FitRunner, options: GridOptions): Promise<GridResult> {
  const weightDecays = options.weightDecays ?? [1e-4, 1e-5, 0];
  const epochs = options.epochs ?? 2;
  const monitor = options.monitor ?? 'val.accuracy';
  const direction = options.direction ?? 'maximize';
  const total = options.lrs.length * weightDecays.length;
  const pruner = options.prune === false || epochs < 2 ? new NopPruner() : new MedianPruner({ nStartupTrials: 3, nWarmupSteps: 0 });
  const study = await createStudy('coarse-grid', { sampler: new GridSampler({ lr: [...options.lrs], weightDecay: [...weightDecays] }, { seed: options.seed ?? 0 }), pruner, direction });
  const cells = new Map<number, GridCell>();
  const outcomes = new Map<number, { outcome?: FitOutcome; epochs: number; seconds: number }>();
  await study.optimize(
    async (trial) => {
      const lr = trial.suggestCategorical('lr', [...options.lrs]) as number;
      const weightDecay = trial.suggestCategorical('weightDecay', [...weightDecays]) as number;
      const pruning = pruningCallback(trial, { monitor });
      const started = performance.now();
      const outcome = await runner({ label: `grid-${trial.number}`, lr, weightDecay, epochs, lrSchedule: 'constant', monitor, callbacks: [pruning] });
      outcomes.set(trial.number, { outcome, epochs: outcome.curves.epochs.length, seconds: (performance.now() - started) / 1000 });
      // a cell stopped at its last epoch (prunedAt is the 1-based epoch number) saved nothing: it counts as complete
      if (pruning.pruned && pruning.prunedAt! < epochs) throw new TrialPruned(pruning.prunedAt);
      return outcome.value;
    },
    {
      nTrials: total,
      concurrency: options.concurrency ?? 1,
      onTrialEnd: (t: FrozenTrial) => {
        const o = outcomes.get(t.number);
        const cell: GridCell = {
          label: `grid-${t.number}`,
          lr: t.params.lr as number,
          weightDecay: t.params.weightDecay as number,
          state: t.state === 'complete' ? 'complete' : t.state === 'pruned' ? 'pruned' : 'failed',
          value: t.state === 'complete' ? t.value : (o?.outcome?.curves.epochs.length ? o.outcome.value : undefined),
          epochs: o?.epochs ?? 0,
          seconds: o?.seconds ?? 0,
          error: t.state === 'fail' ? (t.error ?? 'failed') : undefined,
        };
        cells.set(t.number, cell);
        options.onCell?.(cell, cells.size, total);
      },
    },
  );
  const all = [...cells.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
  const sign = direction === 'maximize' ? -1 : 1;
  const ranking = all.filter((c) => c.state === 'complete' && Number.isFinite(c.value)).sort((a, b) => sign * (a.value! - b.value!));
  return { cells: all, ranking, monitor, direction, epochs };
}
