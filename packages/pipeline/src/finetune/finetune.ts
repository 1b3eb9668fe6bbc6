import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ArrayDataset } from '@anneal/data';
import { loadModel, removeAtomicTemps, saveModel, writeFileAtomic, type ModelProto } from '@anneal/onnx';
import { attachHead, buildHead, explicitPreprocess, extractFeatures, featureStatistics, fineTunePlan, setInferenceMetadata, type Backbone, type ImagePreprocess, type InferenceMetadata } from '@anneal/transfer';
import type { RunIo } from '@anneal/core';
import { finetuneConfigSchema, type FinetuneConfig } from '../config/finetune-config.js';
import type { FitConfig } from '../config/fit-config.js';
import { loadConfigFile, readJsonFile } from '../config/load-config.js';
import { ConfigError } from '../errors.js';
import type { ConfigSource, Pipeline } from '../pipeline.js';
import { loadPluginPackages, pluginPackages } from '../plugin-packages.js';
import { scoreModelFile } from '../run/evaluate.js';
import { dataLoaders, type DataParts } from '../run/run-data.js';
import { claimRunDir, freshRunDir, runPaths } from '../run/run-paths.js';
import type { FitSummary } from '../run/train-run.js';
import { taskBar } from '../task-bar.js';
import { augmentedTrain, checkAugmentConfig, mixLossSpec, mixOptions, oneHotBatch, type AugmentWait } from './augment-data.js';
import { buildFinetuneData, loadParts, openBackbone, resolveBackbonePath, type FinetuneData, type LazyPart } from './finetune-data.js';

/** What `anneal finetune` prints and writes to summary.json. */
export interface FinetuneSummary {
  runDir: string;
  mode: FinetuneConfig['mode'];
  backbone: { path: string; cutAt: string; feature: string; featureDim?: number; pool: string };
  /** Feature extraction per split (features and lp-ft modes). */
  features?: Record<string, { examples: number; fromCache: boolean; seconds: number; examplesPerSecond: number; cache?: string }>;
  /** One entry per phase: `features` (head on cached features) and/or `finetune`. */
  phases: (FitSummary & { phase: 'features' | 'finetune'; trainable: number; frozen: number })[];
  /** Class names (an image folder's sub-folders, in class-id order); also in model.onnx's metadata. */
  classes?: string[];
  /** How images become the model's input; also in model.onnx's metadata, what `anneal predict` applies. */
  preprocess?: ImagePreprocess;
  /** With data.augment: how long the fine-tuning phase waited for augmented batches (in the process that trained it last). */
  augment?: AugmentWait;
  /** model.onnx (backbone + head) run by plain onnxruntime-node on the test images. */
  exported: { model: string; accuracy: number; loss: number; count: number };
  seconds: number;
}

/** Reads and validates a finetune config (JSON or YAML), listing every problem with its path. */
export function loadFinetuneConfig(file: string): FinetuneConfig {
  return loadConfigFile(file, finetuneConfigSchema);
}

/** The `fit` settings a phase trains with (its data and model are provided, not loaded from these specs). */
function phaseConfig(config: FinetuneConfig, backbonePath: string, probe: boolean): FitConfig {
  const base = {
    name: config.name,
    seed: config.seed,
    data: { source: config.data.source, split: config.data.split, batchSize: config.data.batchSize, evalBatchSize: config.data.evalBatchSize, dropLast: config.data.dropLast },
    model: { type: 'onnx', path: backbonePath },
    loss: config.loss,
    metrics: config.metrics,
    callbacks: config.callbacks,
    loggers: config.loggers,
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
    return typeof (readJsonFile(config) as { backbone?: unknown }).backbone === 'object';
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
    const s = readJsonFile(paths.summary) as FitSummary | FinetuneSummary;
    // in single-phase modes the run's own summary replaces the phase's at the very end
    if (!('phases' in s)) return { done: s };
  }
  return existsSync(paths.last) ? { checkpoint: paths.last } : {};
}

/**
 * `anneal finetune <config>`: transfer learning from a pre-trained ONNX backbone, in the
 * configured mode, into a run folder whose model.onnx is ONE inference model (backbone + head).
 */
export async function finetune(pipeline: Pipeline, source: ConfigSource<Record<string, unknown>>, options: { out?: string; device?: { device: 'cpu' | 'cuda' | 'wasm'; deviceId: number } } = {}): Promise<FinetuneSummary> {
  const config = typeof source === 'string' ? loadFinetuneConfig(source) : parseFinetuneConfig(source);
  checkAugmentConfig(config);
  if (options.device) Object.assign(config.train, options.device);
  // a plugin that cannot load stops the run here, before a folder exists
  await loadPluginPackages(pluginPackages(config), pipeline.baseDir);
  const taken = () => `${options.out} already holds a run; continue it with \`anneal resume ${options.out}\` or choose another --out (runs are never overwritten)`;
  if (options.out && existsSync(join(options.out, 'config.json'))) throw new ConfigError(taken());
  const created = !options.out || !existsSync(options.out);
  const dir = options.out ?? freshRunDir(join(pipeline.runsDir, config.name));
  const text = JSON.stringify(config, null, 2) + '\n';
  // a given --out is claimed exclusively (two processes with the same --out: one runs, the other is told it is taken)
  if (options.out) claimRunDir(dir, 'config.json', text, taken);
  else writeFileAtomic(join(dir, 'config.json'), text);
  try {
    return await runFinetune(pipeline, config, dir, false);
  } catch (e) {
    // failed before any phase trained (backbone, data or graph errors): leave no folder behind
    const trained = ['probe', 'finetune'].some((phase) => existsSync(runPaths(join(dir, phase)).metrics));
    if (!trained) rmSync(created ? dir : join(dir, 'config.json'), { recursive: true, force: true });
    throw e;
  }
}

/** A finetune config given as an object, validated. */
function parseFinetuneConfig(raw: Record<string, unknown>): FinetuneConfig {
  const parsed = finetuneConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`invalid finetune config:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  return parsed.data;
}

/**
 * `anneal resume <finetune run>`: finished phases are kept (an lp-ft probe's head is read back
 * from probe/head.onnx), an interrupted phase continues from its last checkpoint, and phases not
 * started run from scratch; the result equals the uninterrupted run.
 */
export async function resumeFinetune(pipeline: Pipeline, dir: string): Promise<FinetuneSummary> {
  const paths = runPaths(dir);
  const config = loadFinetuneConfig(paths.config);
  checkAugmentConfig(config);
  removeAtomicTemps(dir); // what kills left of atomic writes (phases are cleaned again as they resume)
  if (existsSync(paths.summary) && 'phases' in (readJsonFile(paths.summary) as object)) {
    throw new ConfigError(`${dir}: this finetune run has finished (summary.json); nothing to resume. Score it with \`anneal evaluate ${dir}\``);
  }
  return runFinetune(pipeline, config, dir, true);
}

async function runFinetune(pipeline: Pipeline, config: FinetuneConfig, dir: string, resuming: boolean): Promise<FinetuneSummary> {
  const started = performance.now();
  const io = pipeline.io;
  const backbonePath = resolveBackbonePath(config.backbone.path);
  const backbone = openBackbone(backbonePath, { at: config.backbone.at, pool: config.backbone.pool, input: config.backbone.input }, 'backbone.at');
  io.err(`anneal finetune (${config.mode}): backbone ${backbonePath} cut at '${backbone.cutAt}'${backbone.pool !== 'none' ? ` (${backbone.pool}-pooled)` : ''}, opset ${backbone.opset.from}${backbone.opset.to !== backbone.opset.from ? ` -> ${backbone.opset.to}` : ''}${resuming ? `, resuming ${dir}` : ''}`);
  const data = await buildFinetuneData(pipeline.registry, config, backbone, io, pipeline.baseDir);
  // what predicting on new images needs, carried by every exported model.onnx and by summary.json
  const meta: InferenceMetadata = { classes: data.classNames, preprocess: config.data.preprocess ? explicitPreprocess(config.data.preprocess as ImagePreprocess) : undefined, input: backbone.input.name };
  const summary: FinetuneSummary = { runDir: dir, mode: config.mode, backbone: { path: backbonePath, cutAt: backbone.cutAt, feature: backbone.feature, featureDim: backbone.featureDim, pool: backbone.pool }, ...(meta.classes ? { classes: meta.classes } : {}), ...(meta.preprocess ? { preprocess: meta.preprocess } : {}), phases: [], exported: { model: '', accuracy: 0, loss: 0, count: 0 }, seconds: 0 };
  let head: ModelProto | undefined;
  let modelPath = '';
  if (config.mode !== 'finetune') {
    const phaseDir = config.mode === 'lp-ft' ? join(dir, 'probe') : dir;
    const status = phaseStatus(phaseDir, resuming);
    const headPath = join(phaseDir, 'head.onnx');
    if (status.done) {
      if (!existsSync(headPath)) throw new ConfigError(`${headPath} is missing: the head phase finished before Anneal saved heads; run \`anneal finetune\` again into a new folder`);
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
      const result = await pipeline.train(fit, {
        dir: phaseDir,
        resume: !!status.checkpoint,
        provide: { data: loaders, model: { model: fresh, inputName: 'features' } },
        label: 'anneal finetune (head on cached features)',
        exportModel: async (run) => {
          head = await run.session.exportInference(fresh, { weights: run.weights });
          // the head alone: what a resumed lp-ft run starts its fine-tuning phase from
          saveModel(headPath, head);
          return setInferenceMetadata(attachHead(backbone, head), meta);
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
      const augmented = config.data.augment ? augmentedTrain(config, data, backbone.input.name) : undefined;
      if (augmented) io.err(augmented.describe);
      // mixup / cutmix: the step trains on soft targets [N, classes]; val and test keep class ids and config.loss
      const mixing = augmented && mixOptions(config) ? { loss: pipeline.registry.build('loss', mixLossSpec(config), 'loss', { classes: data.classes }), sample: oneHotBatch(loaders.train.epochBatches(0).next().value!, data.classes) } : undefined;
      if (mixing) io.err('mixup/cutmix: training on soft targets (soft-target cross-entropy); no training accuracy is reported (targets mix two classes), val/test accuracy on class ids');
      const trainData = augmented ? { ...loaders, trainBatches: augmented.source, ...(mixing ? { trainSample: mixing.sample } : {}) } : loaders;
      const result = await pipeline
        .train(fit, { dir: phaseDir, resume: !!status.checkpoint, provide: { data: trainData, model: { model, inputName: backbone.input.name, trainable: selection.trainable, groups }, ...(mixing ? { trainLoss: mixing.loss } : {}) }, label: 'anneal finetune (through the backbone)', exportModel: async (run) => setInferenceMetadata(await run.session.exportInference(run.model, { weights: run.weights }), meta) })
        .finally(() => augmented?.close());
      if (augmented) {
        summary.augment = augmented.waited();
        const { waitSeconds, batches } = summary.augment;
        io.err(`augmentation: training waited ${waitSeconds.toFixed(1)} s for ${batches} augmented batches (${((100 * waitSeconds) / Math.max(result.throughput.trainSeconds, 1e-9)).toFixed(1)}% of the ${result.throughput.trainSeconds.toFixed(1)} s its steps took, waits included)`);
      }
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
export async function evaluateFinetune(pipeline: Pipeline, dir: string, split: 'test' | 'val' | 'train', k: number): Promise<{ split: string; loss: number; accuracy: number; topK: number; k: number; count: number; model: string }> {
  const paths = runPaths(dir);
  const config = loadFinetuneConfig(paths.config);
  const model = config.mode === 'lp-ft' ? runPaths(join(dir, 'finetune')).model : paths.model;
  if (!existsSync(model)) throw new ConfigError(`${model}: no such model; the run has not finished (continue it with \`anneal resume ${dir}\`)`);
  const backbonePath = resolveBackbonePath(config.backbone.path);
  const backbone = openBackbone(backbonePath, { at: config.backbone.at, pool: config.backbone.pool, input: config.backbone.input }, 'backbone.at');
  const data = await buildFinetuneData(pipeline.registry, config, backbone, pipeline.io, pipeline.baseDir);
  const lazy = data.parts[split];
  if (!lazy) throw new ConfigError(`the run's data has no ${split} split (data.split in ${paths.config})`);
  const part = await lazy.load();
  const loader = dataLoaders({ train: part, test: part }, phaseConfig(config, backbonePath, false), backbone.input.name, data.classes).test;
  return { split, ...(await scoreModelFile(model, loader.epochBatches(0), k)), model };
}

/** Features of every split, from the cache when present. */
async function featureParts(config: FinetuneConfig, backbone: Backbone, data: FinetuneData, io: RunIo, summary: FinetuneSummary): Promise<DataParts> {
  const out: Partial<DataParts> = {};
  summary.features = {};
  for (const [name, part] of Object.entries(data.parts) as [keyof DataParts, LazyPart | undefined][]) {
    if (!part) continue;
    const bar = taskBar(io, `features ${name}`);
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
