import type { FrozenTrial, Pruner, StudyView } from '../types.js';
import { checkInteger, firstCompleted, lastStep, PrunerOptionError } from './pruner-utils.js';
import { SuccessiveHalvingPruner } from './successive-halving-pruner.js';

/** Options of {@link HyperbandPruner}. */
export interface HyperbandOptions {
  /** Resource (steps) of the first rung of the most aggressive bracket (default 1). */
  minResource?: number;
  /**
   * The most steps a trial runs, e.g. the number of epochs (default `'auto'`: one more than the
   * last step of the study's first complete trial; nothing is pruned before a trial completes).
   */
  maxResource?: 'auto' | number;
  /** `η` of every bracket (default 3). */
  reductionFactor?: number;
  /** See SuccessiveHalvingOptions.bootstrapCount (default 0; needs a numeric maxResource). */
  bootstrapCount?: number;
}

/** The brackets of a Hyperband setting. */
export interface HyperbandLayout {
  /** floor(log_η(maxResource / minResource)) + 1. */
  readonly brackets: number;
  /** Share of trials per bracket (bracket b: ceil(B * η^(B-1-b) / (B-b)) with B brackets), summing to `total`. */
  readonly budgets: readonly number[];
  readonly total: number;
}

/**
 * Hyperband (Li et al. 2018) over asynchronous successive halving: several ASHA brackets that
 * trade the number of trials against early stopping. Bracket b is a SuccessiveHalvingPruner with
 * `minEarlyStoppingRate = b` (bracket 0 prunes first, at minResource; the last bracket hardly
 * prunes at all) and only compares a trial with the trials of its own bracket.
 *
 * A trial's bracket is a pure function of the study name and the trial number:
 * crc32(`${study}_${number}`) mod the total budget, laid out over the brackets' budgets (so bracket
 * b receives about budgets[b] / total of the trials, and every process agrees without sharing
 * state). Samplers are not told about brackets; {@link HyperbandPruner.bracketOf} exposes it.
 *
 * @example
 * const pruner = new HyperbandPruner({ minResource: 1, maxResource: 27, reductionFactor: 3 }); // 4 brackets
 * if (pruner.shouldPrune(view, trial)) throw new TrialPruned(epoch);
 */
export class HyperbandPruner implements Pruner {
  readonly name = 'hyperband';
  readonly minResource: number;
  readonly maxResource: 'auto' | number;
  readonly reductionFactor: number;
  readonly bootstrapCount: number;
  /** Memo of the layout and bracket pruners per max resource (a cache, not decision state). */
  private readonly layouts = new Map<number, HyperbandLayout & { pruners: SuccessiveHalvingPruner[] }>();

  constructor(options: HyperbandOptions = {}) {
    this.minResource = checkInteger('HyperbandPruner.minResource', options.minResource ?? 1, 1);
    const max = options.maxResource ?? 'auto';
    if (max !== 'auto' && (!Number.isInteger(max) || max < this.minResource)) throw new PrunerOptionError('HyperbandPruner.maxResource', `must be 'auto' or an integer >= minResource (${this.minResource}), got ${String(max)}`);
    this.maxResource = max;
    this.reductionFactor = checkInteger('HyperbandPruner.reductionFactor', options.reductionFactor ?? 3, 2);
    this.bootstrapCount = checkInteger('HyperbandPruner.bootstrapCount', options.bootstrapCount ?? 0, 0);
    if (this.bootstrapCount > 0 && max === 'auto') throw new PrunerOptionError('HyperbandPruner.bootstrapCount', `needs a numeric maxResource (got 'auto'); set maxResource to the number of steps of a full trial`);
  }

  /** The brackets for a study (undefined while `maxResource` is `'auto'` and no trial is complete). */
  layout(study: StudyView): HyperbandLayout | undefined {
    const layout = this.resolve(study);
    return layout && { brackets: layout.brackets, budgets: [...layout.budgets], total: layout.total };
  }

  /** The bracket of trial `number` in `study` (undefined while the layout is unknown). */
  bracketOf(study: StudyView, number: number): number | undefined {
    const layout = this.resolve(study);
    return layout && bracketIn(layout, study.name, number);
  }

  shouldPrune(study: StudyView, trial: FrozenTrial): boolean {
    const layout = this.resolve(study);
    if (!layout) return false;
    const bracket = bracketIn(layout, study.name, trial.number);
    const view: StudyView = { name: study.name, direction: study.direction, trials: study.trials.filter((t) => bracketIn(layout, study.name, t.number) === bracket) };
    return layout.pruners[bracket]!.shouldPrune(view, trial);
  }

  private resolve(study: StudyView): (HyperbandLayout & { pruners: SuccessiveHalvingPruner[] }) | undefined {
    let max: number;
    if (this.maxResource === 'auto') {
      const first = firstCompleted(study);
      if (!first) return undefined;
      max = Math.max(lastStep(first)! + 1, this.minResource);
    } else max = this.maxResource;
    let layout = this.layouts.get(max);
    if (!layout) {
      const eta = this.reductionFactor;
      let brackets = 1;
      while (this.minResource * eta ** brackets <= max) brackets++;
      const budgets = Array.from({ length: brackets }, (_, b) => Math.ceil((brackets * eta ** (brackets - 1 - b)) / (brackets - b)));
      const pruners = budgets.map((_, b) => new SuccessiveHalvingPruner({ minResource: this.minResource, reductionFactor: eta, minEarlyStoppingRate: b, bootstrapCount: this.bootstrapCount }));
      layout = { brackets, budgets, total: budgets.reduce((a, b) => a + b, 0), pruners };
      this.layouts.set(max, layout);
    }
    return layout;
  }
}

function bracketIn(layout: HyperbandLayout, study: string, number: number): number {
  let n = crc32(`${study}_${number}`) % layout.total;
  for (let b = 0; b < layout.brackets; b++) {
    n -= layout.budgets[b]!;
    if (n < 0) return b;
  }
  return layout.brackets - 1;
}

let table: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) of a string's UTF-8 bytes, as an unsigned integer. */
export function crc32(text: string): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[i] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of new TextEncoder().encode(text)) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
