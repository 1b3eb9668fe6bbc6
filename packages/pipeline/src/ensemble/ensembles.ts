import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensembleMetrics, ensembleModel, type CombineRule } from '@anneal/ensembles';
import { loadModel, saveModel, writeFileAtomic } from '@anneal/onnx';
import type { FitConfig } from '../config/fit-config.js';
import { readJsonFile, validateFitConfig } from '../config/load-config.js';
import { ConfigError } from '../errors.js';
import type { ConfigSource, Pipeline } from '../pipeline.js';
import type { FitConfigInput } from '../config/fit-config.js';
import { configData } from '../run/evaluate.js';
import type { ComposedRunView } from '../run/run-options.js';
import { claimRunDir, freshRunDir, runPaths } from '../run/run-paths.js';
import { snapshotCallback, trainMembers } from './ensemble-runs.js';
import { modelLogits } from './member-logits.js';

/** What the ensemble commands report: every member's test score and the ensemble's. */
export interface EnsembleSummary {
  dir: string;
  kind: 'independent' | 'snapshot';
  combine: CombineRule;
  members: { name: string; model: string; accuracy: number; nll: number }[];
  ensemble: { accuracy: number; nll: number };
  meanMember: { accuracy: number; nll: number };
  bestMember: { name: string; accuracy: number };
  model: string;
  count: number;
}

interface Saved {
  kind: 'independent' | 'snapshot';
  config: FitConfig;
  models: string[];
}

/** Scores each member and the ensemble on the test split, and writes the one-model ensemble `ensemble.onnx`. */
async function evaluateEnsemble(pipeline: Pipeline, dir: string, saved: Saved, combine: CombineRule, names: string[]): Promise<EnsembleSummary> {
  if (saved.models.length < 2) throw new ConfigError(`${dir}: an ensemble needs at least 2 members, found ${saved.models.length}`);
  const data = await configData(pipeline, saved.config);
  const scored = [];
  for (const path of saved.models) scored.push(await modelLogits(path, data.test.epochBatches(0)));
  const { labels, classes } = scored[0]!;
  const m = ensembleMetrics(scored.map((s) => s.logits), labels, classes, combine);
  const model = join(dir, 'ensemble.onnx');
  saveModel(model, ensembleModel(saved.models.map((p) => loadModel(p)), { combine }));
  const members = saved.models.map((path, i) => ({ name: names[i]!, model: path, accuracy: m.members[i]!.accuracy, nll: m.members[i]!.nll }));
  const summary: EnsembleSummary = { dir, kind: saved.kind, combine, members, ensemble: m.ensemble, meanMember: m.meanMember, bestMember: { name: names[m.bestMember.index]!, accuracy: m.bestMember.accuracy }, model, count: labels.length };
  writeFileAtomic(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

/**
 * `anneal ensemble train <config> --members K`: K runs of a fit config from different seeds (same
 * data split), `parallel` at a time, then the ensemble scored on the test split and exported as
 * one ONNX model.
 */
export async function ensembleTrain(pipeline: Pipeline, source: ConfigSource<FitConfigInput>, options: { members: number; parallel?: number; out?: string; combine?: CombineRule }): Promise<EnsembleSummary> {
  if (options.members < 2) throw new ConfigError(`--members ${options.members}: an ensemble needs at least 2 members`);
  const config = pipeline.fitConfig(source);
  await pipeline.check(config);
  const taken = () => `${options.out} already holds an ensemble; choose another --out`;
  if (options.out && existsSync(join(options.out, 'ensemble.json'))) throw new ConfigError(taken());
  const dir = options.out ?? freshRunDir(join(pipeline.runsDir, `${config.name}-ensemble`));
  const saved: Saved = { kind: 'independent', config, models: [] };
  // ensemble.json created exclusively: two processes given the same --out never share the folder
  claimRunDir(dir, 'ensemble.json', JSON.stringify(saved, null, 2) + '\n', taken);
  await trainMembers(pipeline, config, dir, options.members, options.parallel ?? 1, (i, s) => pipeline.io.err(`member ${i}: test accuracy ${((s.test.accuracy ?? 0) * 100).toFixed(2)}%`));
  saved.models = Array.from({ length: options.members }, (_, i) => runPaths(join(dir, 'members', String(i))).model);
  writeFileAtomic(join(dir, 'ensemble.json'), JSON.stringify(saved, null, 2) + '\n');
  return evaluateEnsemble(pipeline, dir, saved, options.combine ?? 'mean-probability', saved.models.map((_, i) => `member ${i}`));
}

/**
 * `anneal ensemble snapshot <config> --cycles M [--keep m]`: one run whose lr restarts M times
 * (cosine with warm restarts over the run's epochs, cycles of equal length), a model exported at
 * the end of each cycle, and the last `keep` snapshots (default all) ensembled.
 */
export async function ensembleSnapshot(pipeline: Pipeline, source: ConfigSource<FitConfigInput>, options: { cycles: number; keep?: number; out?: string; combine?: CombineRule }): Promise<EnsembleSummary> {
  const base = pipeline.fitConfig(source);
  const where = typeof source === 'string' ? source : '(fit config)';
  const { cycles } = options;
  if (cycles < 2) throw new ConfigError(`--cycles ${cycles}: a snapshot ensemble needs at least 2 cycles`);
  if (base.train.epochs % cycles !== 0) throw new ConfigError(`--cycles ${cycles}: train.epochs (${base.train.epochs}) must be a multiple of the cycles, so every cycle ends on an epoch`);
  const keep = options.keep ?? cycles;
  if (keep < 2 || keep > cycles) throw new ConfigError(`--keep ${keep}: keep between 2 and --cycles (${cycles}) snapshots`);
  await pipeline.check(base);
  const taken = () => `${options.out} already holds an ensemble; choose another --out`;
  if (options.out && existsSync(join(options.out, 'ensemble.json'))) throw new ConfigError(taken());
  const data = await configData(pipeline, base);
  const dir = options.out ?? freshRunDir(join(pipeline.runsDir, `${base.name}-snapshots`));
  const cycleEpochs = base.train.epochs / cycles;
  const config: FitConfig = validateFitConfig(
    { ...base, schedules: [...base.schedules.filter((s) => s.target !== 'lr'), { target: 'lr', interval: 'step', schedule: { type: 'cosine-with-warm-restarts', base: base.optimizer.lr, t0: cycleEpochs * data.train.batchesPerEpoch } }] },
    `${where} (snapshot schedule)`,
  );
  const runDir = join(dir, 'run');
  // run/config.json created exclusively: two processes given the same --out never share the folder
  claimRunDir(runDir, 'config.json', JSON.stringify(config, null, 2) + '\n', taken);
  let run: ComposedRunView | undefined;
  const snapshots: string[] = [];
  const callback = snapshotCallback(dir, cycleEpochs, () => run!.session.exportInference(run!.model, { weights: run!.weights }), (path, cycle) => {
    snapshots.push(path);
    pipeline.io.err(`snapshot ${cycle}/${cycles}: ${path}`);
  });
  await pipeline.train(config, { dir: runDir, callbacks: [callback], onComposed: (r) => (run = r), label: 'anneal ensemble snapshot' });
  const saved: Saved = { kind: 'snapshot', config, models: snapshots.slice(-keep) };
  writeFileAtomic(join(dir, 'ensemble.json'), JSON.stringify(saved, null, 2) + '\n');
  return evaluateEnsemble(pipeline, dir, saved, options.combine ?? 'mean-probability', saved.models.map((p) => p.replace(/^.*cycle-(\d+)\.onnx$/, 'snapshot $1')));
}

/** `anneal ensemble export <dir> [--combine rule]`: rebuilds (and rescores) `ensemble.onnx` of an ensemble folder. */
export async function ensembleExport(pipeline: Pipeline, dir: string, options: { combine?: CombineRule } = {}): Promise<EnsembleSummary> {
  const file = join(dir, 'ensemble.json');
  if (!existsSync(file)) throw new ConfigError(`${dir} is not an ensemble folder (no ensemble.json); give a folder written by anneal ensemble train or snapshot`);
  const raw = readJsonFile(file) as Saved;
  const saved: Saved = { ...raw, config: validateFitConfig(raw.config, file) };
  const missing = saved.models.filter((m) => !existsSync(m));
  if (missing.length) throw new ConfigError(`${dir}: member models missing: ${missing.join(', ')}`);
  const names = saved.kind === 'snapshot' ? saved.models.map((p) => p.replace(/^.*cycle-(\d+)\.onnx$/, 'snapshot $1')) : saved.models.map((_, i) => `member ${i}`);
  return evaluateEnsemble(pipeline, dir, saved, options.combine ?? 'mean-probability', names);
}
