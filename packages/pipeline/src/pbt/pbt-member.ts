import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DivergedError, monitorValue, ofType, silentIo, TRAINER_STATE_KEY, type EventOf, type TrainerState } from '@anneal/core';
import { ensureDir, removeAtomicTemps, writeFileAtomic } from '@anneal/onnx';
import type { ParamValue, PbtMember } from '@anneal/search';
import type { DependencyContainer } from 'tsyringe';
import { setPath } from '../config/config-paths.js';
import { validateFitConfig } from '../config/load-config.js';
import type { Dimension } from '../config/tune-config.js';
import { ConfigError } from '../errors.js';
import { composeRun, createRunContainer } from '../run/compose.js';
import { runPaths } from '../run/run-paths.js';
import { trainRun, type FitSummary } from '../run/train-run.js';
import { CHECKPOINT_IO } from '../tokens.js';

/** What a pipeline-backed PBT member is made of. */
export interface PipelineMemberOptions {
  /** The PBT run's container (its plugins); each interval's run gets a child of it. */
  readonly container: DependencyContainer;
  readonly index: number;
  /** The member's run folder (`<study>/members/<k>`). */
  readonly dir: string;
  /** The fit config every interval starts from (train.epochs = the whole run, fixed threads, the member's seed). */
  readonly base: Record<string, unknown>;
  /** The explored hyperparameters by config path. */
  readonly space: Readonly<Record<string, Dimension>>;
  /** The epoch metric returned as the score. */
  readonly metric: string;
  readonly epochsPerGeneration: number;
  readonly baseDir: string;
  /** Sees each interval's fit summary (test score, throughput) after it trained. */
  readonly onInterval?: (summary: FitSummary, score: number) => void;
}

const isScalar = (v: unknown): v is ParamValue => v === null || ['number', 'string', 'boolean'].includes(typeof v);

/** The config value of a hyperparameter (non-scalar categorical choices travel as their JSON text, as in tune). */
function configValue(d: Dimension | undefined, v: ParamValue): unknown {
  if (d?.type !== 'categorical' || d.choices.every(isScalar)) return v;
  return d.choices[d.choices.map((c) => JSON.stringify(c)).indexOf(v as string)];
}

/** Copies a file through a temporary sibling and a rename, so the target is never half-written. */
function copyAtomic(from: string, to: string): void {
  ensureDir(dirname(to));
  const tmp = join(dirname(to), `.${basename(to)}.${process.pid}.${Date.now().toString(16)}.tmp`);
  copyFileSync(from, tmp);
  renameSync(tmp, to);
}

/**
 * A PBT member whose intervals are runs composed by the pipeline in one run folder: each
 * `train()` writes the fit config with the current hyperparameters, composes the run (a child
 * container of the PBT run's) and trains `epochsPerGeneration` epochs with `pauseAfterEpochs`,
 * resuming the folder's checkpoint (`checkpoints/last.safetensors`). `load(path)` makes a copied
 * checkpoint (another member's after an exploit, or its own on resume) the one the next interval
 * resumes: weights, optimizer state, schedule and callback state, data position, all exactly.
 * The score is `metric` at the interval's last epoch; a diverged interval scores NaN (ranked
 * last, so it is replaced) and keeps its last good checkpoint.
 */
export function pipelineMember(o: PipelineMemberOptions): PbtMember {
  const paths = runPaths(o.dir);
  let hyperparameters: Record<string, ParamValue> = {};
  /** The checkpoint the next interval continues from; undefined: the initial state (a fresh run). */
  let source: string | undefined;
  const name = String(o.base.name ?? 'pbt');
  return {
    async train() {
      ensureDir(o.dir);
      removeAtomicTemps(o.dir);
      if (source === undefined) rmSync(paths.checkpoints, { recursive: true, force: true });
      else if (resolve(source) !== resolve(paths.last)) copyAtomic(source, paths.last);
      let raw = o.base;
      for (const [path, value] of Object.entries(hyperparameters)) raw = setPath(raw, path, configValue(o.space[path], value));
      const config = validateFitConfig(raw, `member ${o.index} (base + ${Object.keys(hyperparameters).join(', ')})`);
      writeFileAtomic(paths.config, JSON.stringify(config, null, 2) + '\n');
      const run = await composeRun(await createRunContainer(o.container, config, { dir: o.dir, resume: source !== undefined, pauseAfterEpochs: o.epochsPerGeneration, io: silentIo, baseDir: o.baseDir, label: `${name} member ${o.index}` }));
      let last: EventOf<'epoch:end'> | undefined;
      run.trainer.events$.pipe(ofType('epoch:end')).subscribe((e) => void (last = e));
      let summary: FitSummary;
      try {
        summary = await trainRun(run);
      } catch (e) {
        if (!(e instanceof DivergedError)) throw e;
        if (!existsSync(paths.last)) throw new ConfigError(`member ${o.index} diverged (${e.message}) before its first checkpoint; narrow the space's ranges (a lower lr) so every member trains an interval`);
        source = paths.last;
        return NaN;
      }
      source = paths.last;
      // an interval that trained no epoch (the run had stopped early): the score of its last epoch
      const score = last ? monitorValue(last, o.metric) : await lastEpochValue(o.container, paths.last, o.metric);
      if (score === undefined) throw new ConfigError(`metric '${o.metric}' was not produced by member ${o.index}'s run; use val.<metric> or train.<metric> of the config's metrics (e.g. val.accuracy, val.loss)`);
      o.onInterval?.(summary, score);
      return score;
    },
    async save(path) {
      if (!existsSync(paths.last)) throw new ConfigError(`member ${o.index} has no checkpoint to save (${paths.last})`);
      copyAtomic(paths.last, path);
    },
    async load(path) {
      if (!existsSync(path)) throw new ConfigError(`PBT checkpoint ${path} is missing; the run folder was changed while it was stopped (start afresh with --force)`);
      source = path;
    },
    hyperparameters: () => hyperparameters,
    setHyperparameters(values) {
      hyperparameters = { ...values };
    },
  };
}

/** The metric at the last finished epoch recorded in a checkpoint's Trainer state. */
async function lastEpochValue(container: DependencyContainer, checkpoint: string, metric: string): Promise<number | undefined> {
  const { metadata } = await container.resolve(CHECKPOINT_IO).read(checkpoint);
  const history = (JSON.parse(metadata[TRAINER_STATE_KEY] ?? '{}') as Partial<TrainerState>).history ?? [];
  const last = history.at(-1);
  return last ? monitorValue(last, metric) : undefined;
}
