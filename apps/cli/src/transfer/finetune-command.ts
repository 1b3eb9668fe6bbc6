import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArrayDataset } from '@anneal/data';
import { loadModel, saveModel, writeFileAtomic, type ModelProto } from '@anneal/onnx';
import { attachHead, buildHead, extractFeatures, featureStatistics, fineTunePlan, loadBackbone, type Backbone } from '@anneal/transfer';
import { CliError } from '../cli-error';
import { createContainer } from '../container';
import { dataLoaders, type DataParts } from '../fit/build-data';
import type { FitConfig } from '../fit/config-schema';
import { scoreModelFile } from '../fit/evaluate-command';
import { freshRunDir, runFit, type FitIo, type FitSummary } from '../fit/fit-command';
import { loadConfigFile } from '../fit/load-config';
import { pluginPackages, registerSchedulerPlugins } from '../fit/plugins';
import { taskBar } from '../fit/progress-bars';
import { runPaths } from '../fit/run-dir';
import { buildFinetuneData, loadParts, resolveBackbonePath, type DataIo, type FinetuneData, type LazyPart } from './finetune-data';
import { finetuneConfigSchema, type FinetuneConfig } from './finetune-schema';

/** What `anneal finetune` prints and writes to summary.json. */
export interface FinetuneSummary {
  runDir: string;
  mode: FinetuneConfig['mode'];
  backbone: { path: string; cutAt: string; feature: string; featureDim?: number; pool: string };
  /** Feature extraction per split (features and lp-ft modes). */
  features?: Record<string, { examples: number; fromCache: boolean; seconds: number; examplesPerSecond: number; cache?: string }>;
  /** One entry per phase: `features` (head on cached features) and/or `finetune`. */
  phases: (FitSummary & { phase: 'features' | 'finetune'; trainable: number; frozen: number })[];
  /** model.onnx (backbone + head) run by plain onnxruntime-node on the test images. */
  exported: { model: string; accuracy: number; loss: number; count: number };
  seconds: number;
}

/** Reads and validates a finetune config (JSON or YAML), listing every problem with its path. */
export function loadFinetuneConfig(file: string): FinetuneConfig {
  return loadConfigFile(file, finetuneConfigSchema);
}

/** The `fit` settings a phase trains with (data and model come prebuilt). */
function phaseConfig(config: FinetuneConfig, backbonePath: string, probe: boolean): FitConfig {
  const base = {
    name: config.name,
    seed: config.seed,
    data: { source: { kind: 'mnist' as const, image: false }, split: config.data.split, batchSize: config.data.batchSize, evalBatchSize: config.data.evalBatchSize, dropLast: config.data.dropLast },
    model: { kind: 'onnx' as const, path: backbonePath },
    loss: config.loss,
    metrics: config.metrics,
    callbacks: config.callbacks,
    plugins: config.plugins,
  };
  if (!probe) return { ...base, optimizer: config.optimizer, schedules: config.schedules, train: config.train };
  const p = config.probe;
  return { ...base, optimizer: { type: p.type, lr: p.lr, weightDecay: p.weightDecay }, schedules: [], train: { ...config.train, epochs: p.epochs, batchNorm: 'frozen' } };
}

/** Whether `dir` is a run folder written by `anneal finetune` (its config names a backbone). */
export function isFinetuneRun(dir: string): boolean {
  const config = runPaths(dir).config;
  if (!existsSync(config)) return false;
  try {
    return typeof (JSON.parse(readFileSync(config, 'utf8')) as { backbone?: unknown }).backbone === 'object';
  } catch {
    return false;
  }
}

/** Where one phase of a run stands: finished (its summary.json), checkpointed, or not started. */
interface PhaseStatus {
  done?: FitSummary;
  checkpoint?: string;
}

/** A phase folder's status; a fresh run treats every phase as not started. */
function phaseStatus(phaseDir: string, resuming: boolean): PhaseStatus {
  if (!resuming) return {};
  const paths = runPaths(phaseDir);
  if (existsSync(paths.summary)) {
    const s = JSON.parse(readFileSync(paths.summary, 'utf8')) as FitSummary | FinetuneSummary;
    // in single-phase modes the run's own summary replaces the phase's at the very end
    if (!('phases' in s)) return { done: s };
  }
  return existsSync(paths.last) ? { checkpoint: paths.last } : {};
}

/**
 * `anneal finetune <config>`: transfer learning from a pre-trained ONNX backbone, in the
 * configured mode, into a run folder whose model.onnx is ONE inference model (backbone + head).
 */
export async function finetuneCommand(configPath: string, options: { out?: string; device?: { device: 'cpu' | 'cuda' | 'wasm'; deviceId: number } }, io: FitIo): Promise<FinetuneSummary> {
  const config = loadFinetuneConfig(configPath);
  if (options.device) Object.assign(config.train, options.device);
  const dir = options.out ?? freshRunDir(`runs/${config.name}`);
  if (existsSync(join(dir, 'config.json'))) throw new CliError(`${dir} already holds a run; continue it with \`anneal resume ${dir}\` or choose another --out (runs are never overwritten)`);
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  return runFinetune(config, dir, false, io);
}

/**
 * `anneal resume <finetune run>`: finished phases are kept (an lp-ft probe's head is read back
 * from probe/head.onnx), an interrupted phase continues from its last checkpoint, and phases not
 * started run from scratch; the result equals the uninterrupted run.
 */
export async function resumeFinetune(dir: string, io: FitIo): Promise<FinetuneSummary> {
  const paths = runPaths(dir);
  const config = loadFinetuneConfig(paths.config);
  if (existsSync(paths.summary) && 'phases' in (JSON.parse(readFileSync(paths.summary, 'utf8')) as object)) {
    throw new CliError(`${dir}: this finetune run has finished (summary.json); nothing to resume. Score it with \`anneal evaluate ${dir}\``);
  }
  return runFinetune(config, dir, true, io);
}

async function runFinetune(config: FinetuneConfig, dir: string, resuming: boolean, io: FitIo): Promise<FinetuneSummary> {
  const started = performance.now();
  const backbonePath = resolveBackbonePath(config.backbone.path);
  const backbone = loadBackbone(backbonePath, { at: config.backbone.at, pool: config.backbone.pool, input: config.backbone.input });
  io.err(`anneal finetune (${config.mode}): backbone ${backbonePath} cut at '${backbone.cutAt}'${backbone.pool !== 'none' ? ` (${backbone.pool}-pooled)` : ''}, opset ${backbone.opset.from}${backbone.opset.to !== backbone.opset.from ? ` -> ${backbone.opset.to}` : ''}${resuming ? `, resuming ${dir}` : ''}`);
  const data = await buildFinetuneData(config, backbone, { progress: io.progress, log: io.err });
  // a plugin that cannot load stops the run here, before any training
  await registerSchedulerPlugins(createContainer(), pluginPackages(config));
  const summary: FinetuneSummary = { runDir: dir, mode: config.mode, backbone: { path: backbonePath, cutAt: backbone.cutAt, feature: backbone.feature, featureDim: backbone.featureDim, pool: backbone.pool }, phases: [], exported: { model: '', accuracy: 0, loss: 0, count: 0 }, seconds: 0 };
  let head: ModelProto | undefined;
  let modelPath = '';
  if (config.mode !== 'finetune') {
    const phaseDir = config.mode === 'lp-ft' ? join(dir, 'probe') : dir;
    const status = phaseStatus(phaseDir, resuming);
    const headPath = join(phaseDir, 'head.onnx');
    if (status.done) {
      if (!existsSync(headPath)) throw new CliError(`${headPath} is missing: the head phase finished before Anneal saved heads; run \`anneal finetune\` again into a new folder`);
      io.err(`head on features: finished before (${phaseDir}), kept`);
      head = loadModel(headPath);
      summary.phases.push({ ...status.done, phase: 'features', trainable: head.graph.initializer.length, frozen: 0 });
      modelPath = status.done.files.model;
    } else {
      const features = await featureParts(config, backbone, data, io, summary);
      const width = features.train.x.dims[1]!;
      const standardize = config.head.standardize ? featureStatistics(features.train.x) : undefined;
      const fresh = buildHead({ inputDim: width, classes: data.classes, hidden: config.head.hidden, activation: config.head.activation, dropout: config.head.dropout, seed: config.head.seed ?? config.seed, standardize });
      const fit = phaseConfig(config, backbonePath, config.mode === 'lp-ft');
      const loaders = dataLoaders(features, fit, 'features', data.classes);
      const result = await runFit(fit, phaseDir, status.checkpoint, io, {
        prebuilt: { data: loaders, model: fresh },
        label: 'anneal finetune (head on cached features)',
        exportModel: async (run) => {
          head = await run.session.exportInference(fresh, { weights: run.weights });
          // the head alone: what a resumed lp-ft run starts its fine-tuning phase from
          saveModel(headPath, head);
          return attachHead(backbone, head);
        },
      });
      summary.phases.push({ ...result, phase: 'features', trainable: fresh.graph.initializer.length, frozen: 0 });
      modelPath = result.files.model;
    }
  }
  if (config.mode !== 'features') {
    const phaseDir = config.mode === 'lp-ft' ? join(dir, 'finetune') : dir;
    const status = phaseStatus(phaseDir, resuming);
    const parts = await loadParts(data);
    const startHead = head ?? buildHead({ inputDim: backbone.featureDim ?? (await probeWidth(backbone, parts.train)), classes: data.classes, hidden: config.head.hidden, activation: config.head.activation, dropout: config.head.dropout, seed: config.head.seed ?? config.seed });
    const model = attachHead(backbone, startHead);
    const { selection, groups } = fineTunePlan(model, { freeze: config.freeze, layerDecay: config.layerDecay, weightDecay: config.optimizer.weightDecay });
    if (status.done) {
      io.err(`fine-tuning: finished before (${phaseDir}), kept`);
      summary.phases.push({ ...status.done, phase: 'finetune', trainable: selection.trainable.length, frozen: selection.frozen.length });
      modelPath = status.done.files.model;
    } else {
      io.err(`fine-tuning ${selection.trainable.length} of ${selection.trainable.length + selection.frozen.length} parameter tensors (${selection.blocks.filter((b) => b.trainable).length} of ${selection.blocks.length} backbone blocks), BatchNorm ${config.train.batchNorm}${groups ? `, layer decay ${config.layerDecay}` : ''}`);
      const fit = phaseConfig(config, backbonePath, false);
      const loaders = dataLoaders(parts, fit, backbone.input.name, data.classes);
      const result = await runFit(fit, phaseDir, status.checkpoint, io, { prebuilt: { data: loaders, model, trainable: selection.trainable, groups }, label: 'anneal finetune (through the backbone)' });
      summary.phases.push({ ...result, phase: 'finetune', trainable: selection.trainable.length, frozen: selection.frozen.length });
      modelPath = result.files.model;
    }
  }
  const testPart = await data.parts.test.load();
  const test = dataLoaders({ train: testPart, test: testPart }, phaseConfig(config, backbonePath, false), backbone.input.name, data.classes).test;
  const exported = await scoreModelFile(modelPath, test.epochBatches(0));
  summary.exported = { model: modelPath, accuracy: exported.accuracy, loss: exported.loss, count: exported.count };
  summary.seconds = (performance.now() - started) / 1000;
  writeFileAtomic(runPaths(dir).summary, JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

/**
 * `anneal evaluate <finetune run>`: the run's model.onnx (backbone + head) on a split of the
 * run's own data, preprocessed as in training.
 */
export async function evaluateFinetune(dir: string, split: 'test' | 'val' | 'train', k: number, io: DataIo): Promise<{ split: string; loss: number; accuracy: number; topK: number; k: number; count: number; model: string }> {
  const paths = runPaths(dir);
  const config = loadFinetuneConfig(paths.config);
  const model = config.mode === 'lp-ft' ? runPaths(join(dir, 'finetune')).model : paths.model;
  if (!existsSync(model)) throw new CliError(`${model}: no such model; the run has not finished (continue it with \`anneal resume ${dir}\`)`);
  const backbonePath = resolveBackbonePath(config.backbone.path);
  const backbone = loadBackbone(backbonePath, { at: config.backbone.at, pool: config.backbone.pool, input: config.backbone.input });
  const data = await buildFinetuneData(config, backbone, io);
  const lazy = data.parts[split];
  if (!lazy) throw new CliError(`the run's data has no ${split} split (data.split in ${paths.config})`);
  const part = await lazy.load();
  const loader = dataLoaders({ train: part, test: part }, phaseConfig(config, backbonePath, false), backbone.input.name, data.classes).test;
  return { split, ...(await scoreModelFile(model, loader.epochBatches(0), k)), model };
}

/** Features of every split, from the cache when present. */
async function featureParts(config: FinetuneConfig, backbone: Backbone, data: FinetuneData, io: FitIo, summary: FinetuneSummary): Promise<DataParts> {
  const out: Partial<DataParts> = {};
  summary.features = {};
  for (const [name, part] of Object.entries(data.parts) as [keyof DataParts, LazyPart | undefined][]) {
    if (!part) continue;
    const bar = taskBar(`features ${name}`, io.progress);
    const r = await extractFeatures(backbone, part.load, {
      cache: config.cache.enabled ? config.cache.dir : undefined,
      preprocess: data.preprocessKey,
      dataKey: part.key,
      device: config.train.device,
      deviceId: config.train.deviceId,
      batchSize: config.data.evalBatchSize > 256 ? 64 : config.data.evalBatchSize,
      onProgress: bar.update,
      onWarning: (w) => io.err(`warning: ${w.kind} (${w.requested} -> ${w.used}): ${w.reason}`),
    });
    bar.stop();
    io.err(`features ${name}: ${r.dataset.x.dims.join(' x ')}${r.fromCache ? ` from cache ${r.path}` : ` in ${r.seconds.toFixed(1)} s (${r.examplesPerSecond.toFixed(0)} examples/s)${r.path ? `, cached at ${r.path}` : ''}`}`);
    summary.features[name] = { examples: r.dataset.x.dims[0]!, fromCache: r.fromCache, seconds: r.seconds, examplesPerSecond: r.examplesPerSecond, cache: r.path };
    out[name] = r.dataset;
  }
  return out as DataParts;
}

/** Feature width measured on two examples, when static inference cannot tell. */
async function probeWidth(backbone: Backbone, train: ArrayDataset): Promise<number> {
  const two = { x: { ...train.x, dims: [2, ...train.x.dims.slice(1)], data: (train.x.data as Float32Array).subarray(0, 2 * train.x.dims.slice(1).reduce((a, d) => a * d, 1)) }, y: { ...train.y, dims: [2], data: (train.y.data as BigInt64Array).subarray(0, 2) } };
  const r = await extractFeatures(backbone, two);
  return r.dataset.x.dims[1]!;
}

/** The summary block printed at the end of `anneal finetune`. */
export function formatFinetuneSummary(s: FinetuneSummary): string {
  const lines = [`backbone: ${s.backbone.path} cut at ${s.backbone.cutAt}${s.backbone.featureDim ? ` (${s.backbone.featureDim}-d)` : ''}`];
  for (const p of s.phases) {
    lines.push(`${p.phase === 'features' ? 'head on features' : 'fine-tuning'}: ${p.epochs} epochs, ${p.steps} steps, ${p.trainable} trained tensors${p.frozen ? ` (${p.frozen} frozen)` : ''}: test accuracy ${((p.test.accuracy ?? 0) * 100).toFixed(2)}%, loss ${p.test.loss.toFixed(4)} (${p.runDir})`);
  }
  lines.push(`model.onnx (backbone + head) with plain ONNX Runtime: test accuracy ${(s.exported.accuracy * 100).toFixed(2)}% on ${s.exported.count} examples`);
  lines.push(`model:   ${s.exported.model}`);
  lines.push(`done in ${s.seconds.toFixed(1)} s -> ${s.runDir}`);
  return lines.join('\n');
}
