// Independent members (anneal ensemble train) and snapshot ensembles (anneal ensemble snapshot),
// run through @anneal/pipeline's ensemble methods (what those commands run), with the ensembles of
// the last m snapshots added.
import { join } from 'node:path';
import { ensembleMetrics } from '@anneal/ensembles';
import type { RunIo } from '@anneal/core';
import { configData, createPipeline, type EnsembleSummary, type FitConfig, modelLogits } from '@anneal/pipeline';
import type { Score } from './averaging.js';
import { writeConfig } from './configs.js';

/** One group of K independent members and their ensemble (mean probability), on the test split. */
export interface MemberGroup {
  regime: string;
  /** Base seed: member i trains with seed + i. */
  seed: number;
  members: Score[];
  meanMember: Score;
  bestMember: Score & { index: number };
  ensemble: Score;
  seconds: number;
}

const io = (log: (s: string) => void, prefix: string): RunIo => ({ out: () => {}, err: (s) => log(`  ${prefix}${s}`) });

/** Best member's index in an EnsembleSummary (by its name `member <i>` / `snapshot <k>`). */
function bestIndex(s: EnsembleSummary): number {
  return s.members.findIndex((m) => m.name === s.bestMember.name);
}

/** `pipeline.ensembleTrain` (= `anneal ensemble train <config> --members K --parallel P`) for one seed group. */
export async function memberGroup(regime: string, config: FitConfig, dir: string, members: number, parallel: number, log: (s: string) => void): Promise<MemberGroup> {
  const started = performance.now();
  const pipeline = await createPipeline({ io: io(log, `${regime} seed ${config.seed}: `) });
  const s = await pipeline.ensembleTrain(writeConfig(dir, config), { members, parallel, out: join(dir, 'ensemble') });
  const best = bestIndex(s);
  return {
    regime,
    seed: config.seed,
    members: s.members.map((m) => ({ accuracy: m.accuracy, nll: m.nll })),
    meanMember: s.meanMember,
    bestMember: { index: best, accuracy: s.members[best]!.accuracy, nll: s.members[best]!.nll },
    ensemble: s.ensemble,
    seconds: (performance.now() - started) / 1000,
  };
}

/** One snapshot run: every snapshot's score, and the ensemble of the last m snapshots for m = 2..M. */
export interface SnapshotRun {
  regime: string;
  seed: number;
  cycles: number;
  cycleEpochs: number;
  snapshots: Score[];
  /** lastM[j] is the ensemble of the last j + 2 snapshots. */
  lastM: (Score & { m: number })[];
  seconds: number;
}

/** `pipeline.ensembleSnapshot` (= `anneal ensemble snapshot <config> --cycles M --keep M`), then the last-m ensembles scored from the snapshots' logits. */
export async function snapshotRun(regime: string, config: FitConfig, dir: string, cycles: number, log: (s: string) => void): Promise<SnapshotRun> {
  const started = performance.now();
  const pipeline = await createPipeline({ io: io(log, `${regime} seed ${config.seed}: `) });
  const s = await pipeline.ensembleSnapshot(writeConfig(dir, config), { cycles, keep: cycles, out: join(dir, 'ensemble') });
  const test = (await configData(pipeline, config)).test;
  const scored = [];
  for (const m of s.members) scored.push(await modelLogits(m.model, test.epochBatches(0)));
  const { labels, classes } = scored[0]!;
  const lastM = [];
  for (let m = 2; m <= cycles; m++) lastM.push({ m, ...ensembleMetrics(scored.slice(-m).map((x) => x.logits), labels, classes).ensemble });
  const all = lastM[lastM.length - 1]!;
  if (Math.abs(all.accuracy - s.ensemble.accuracy) > 1e-9) throw new Error(`${dir}: the ensemble of all ${cycles} snapshots scored ${all.accuracy} here but ${s.ensemble.accuracy} in the command's summary`);
  return {
    regime,
    seed: config.seed,
    cycles,
    cycleEpochs: config.train.epochs / cycles,
    snapshots: s.members.map((m) => ({ accuracy: m.accuracy, nll: m.nll })),
    lastM,
    seconds: (performance.now() - started) / 1000,
  };
}
