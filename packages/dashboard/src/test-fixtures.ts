// Test helper (not shipped): run folders and study journals in the formats Anneal writes them,
// for the server specs. Runs are written through the MetricsRecord type, studies through
// @anneal/search's JournalStorage, so a format change shows up here as a type error or a failure.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricsRecord } from '@anneal/pipeline';
import { createStudy, describeObjectives, GridSampler, JournalStorage, RandomSampler, type Direction } from '@anneal/search';

/** Options of {@link runRecords}. */
export interface FakeRun {
  epochs: number;
  batches?: number;
  /** First epoch number written (the file's convention). */
  firstEpoch?: number;
  /** Batch lines every `normsEvery` steps carry per-tensor norms. */
  normsEvery?: number;
}

/** metrics.jsonl records of a run whose loss falls from ~2: batch lines (lr, momentum, norms) and epoch lines (train/val loss and accuracy, top3). */
export function runRecords(o: FakeRun): MetricsRecord[] {
  const batches = o.batches ?? 8;
  const first = o.firstEpoch ?? 1;
  const records: MetricsRecord[] = [];
  let step = 0;
  for (let e = 0; e < o.epochs; e++) {
    const losses: number[] = [];
    for (let b = 0; b < batches; b++, step++) {
      const loss = 2 / (1 + 0.2 * step) + 0.15 * Math.sin(step * 1.7);
      losses.push(loss);
      const norms = o.normsEvery && step % o.normsEvery === 0 ? { 'fc.weight': { grad: 0.5, weight: 2, update: 0.002 * (1 + e) }, 'fc.bias': { grad: 0.1, weight: 0.5, update: 1e-4 } } : undefined;
      records.push({ kind: 'batch', epoch: first + e, batch: b, step, loss, lr: 0.01 * Math.min(1, (step + 1) / 5), hyperparameters: { 'hp.momentum': 0.85 + 0.001 * step }, ...(norms ? { norms } : {}) });
    }
    const mean = losses.reduce((s, l) => s + l, 0) / losses.length;
    const variance = losses.reduce((s, l) => s + (l - mean) ** 2, 0) / losses.length;
    const loss = { mean, variance, std: Math.sqrt(variance), min: Math.min(...losses), max: Math.max(...losses), count: losses.length };
    records.push({
      kind: 'epoch',
      epoch: first + e,
      step,
      train: { loss, metrics: { accuracy: 0.5 + 0.04 * e, top3: 0.8 + 0.02 * e } },
      val: { loss: { ...loss, mean: mean * 1.1, std: 0, variance: 0, count: 1 }, metrics: { accuracy: 0.45 + 0.04 * e, top3: 0.78 + 0.02 * e } },
      hyperparameters: { lr: 0.01 },
      durationMs: 10,
    });
  }
  return records;
}

/** Writes metrics.jsonl atomically (a temporary sibling renamed over it), as the metrics logger does. */
export function writeMetrics(dir: string, records: readonly MetricsRecord[]): void {
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.metrics.jsonl.${process.pid}.tmp`);
  writeFileSync(tmp, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  renameSync(tmp, join(dir, 'metrics.jsonl'));
}

/** A run folder: config.json (name, train.epochs), metrics.jsonl, and summary.json when `finished`. */
export function writeRun(dir: string, name: string, o: FakeRun & { planned?: number; finished?: boolean }): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ name, train: { epochs: o.planned ?? o.epochs } }));
  writeMetrics(dir, runRecords(o));
  if (o.finished) writeFileSync(join(dir, 'summary.json'), JSON.stringify({ epochs: o.epochs, steps: o.epochs * (o.batches ?? 8), stopped: false, test: { loss: 0.4, accuracy: 0.9, count: 30 }, seconds: 1, runDir: '/somewhere/secret' }));
}

/**
 * A study folder with study.jsonl written by JournalStorage: `trials` trials of lr (log float)
 * and width (categorical) reporting a value per epoch for 4 epochs; every third trial is pruned
 * after 2 epochs, the rest complete. Returns the direction.
 */
export async function writeStudy(dir: string, name: string, trials = 6): Promise<'maximize'> {
  mkdirSync(dir, { recursive: true });
  const storage = new JournalStorage(join(dir, 'study.jsonl'));
  const study = await createStudy(name, { storage, sampler: new RandomSampler({ seed: 1 }), direction: 'maximize' });
  for (let i = 0; i < trials; i++) {
    const trial = await study.ask();
    const lr = trial.suggestFloat('optimizer.lr', 1e-4, 0.3, { log: true });
    const width = trial.suggestCategorical('model.hidden', ['[8]', '[32]']);
    const pruned = i % 3 === 2;
    let value = 0;
    for (let epoch = 1; epoch <= (pruned ? 2 : 4); epoch++) {
      value = 0.3 + 0.1 * epoch * (1 - Math.abs(Math.log10(lr) + 2) / 3) + (width === '[32]' ? 0.05 : 0);
      await trial.report(value, epoch);
    }
    await study.tell(trial, pruned ? { state: 'pruned' } : value);
  }
  await storage.close();
  return 'maximize';
}

/** Options of {@link writeParetoStudy}. */
export interface ParetoStudyOptions {
  /** Trials run by this call (the study resumes where an earlier call stopped); default all 15 grid points. */
  trials?: number;
  /** A third objective, y (minimize). */
  third?: boolean;
  /** Stored as the objectives' names (describeObjectives). */
  names?: string[];
  /** Stored as the hypervolume reference point. */
  reference?: number[];
}

/**
 * A multi-objective study run by @anneal/search into `<dir>/study.jsonl` (JournalStorage): a grid
 * sampler over x in {0, 0.25, 0.5, 0.75, 1} and y in {0, 0.5, 1} (15 points, visited in order, y
 * fastest) with the objectives size = x (minimize) and quality = x - y (maximize), and y
 * (minimize) when `third`. Its Pareto front is known: exactly the trials with y = 0, i.e. those
 * numbered 0, 3, 6, 9, 12 (each dominates the trials of its x with y > 0, and a smaller size
 * always comes with a lower quality).
 */
export async function writeParetoStudy(dir: string, name: string, options: ParetoStudyOptions = {}): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const storage = new JournalStorage(join(dir, 'study.jsonl'));
  const directions: Direction[] = options.third ? ['minimize', 'maximize', 'minimize'] : ['minimize', 'maximize'];
  const sampler = new GridSampler({ x: [0, 0.25, 0.5, 0.75, 1], y: [0, 0.5, 1] });
  const study = await createStudy(name, { storage, sampler, directions, loadIfExists: true });
  if (options.names || options.reference) await describeObjectives(storage, name, { ...(options.names ? { names: options.names } : {}), ...(options.reference ? { reference: options.reference } : {}) });
  await study.optimize(
    (trial) => {
      const x = trial.suggestFloat('x', 0, 1);
      const y = trial.suggestFloat('y', 0, 1);
      return options.third ? [x, x - y, y] : [x, x - y];
    },
    { nTrials: options.trials ?? 15 },
  );
  await storage.close();
}
