import { availableParallelism } from 'node:os';
import { listParameters } from '@anneal/autograd';
import { Trainer, type Callback, type Logger, type RunInfo } from '@anneal/core';
import { engineBackend, TrainSession, type ParallelOptions } from '@anneal/engine';
import type { ParamGroup } from '@anneal/optim';
import { instanceCachingFactory, type DependencyContainer, type InjectionToken } from 'tsyringe';
import type { FitConfig } from '../config/fit-config.js';
import { ConfigError } from '../errors.js';
import type { AnnealRegistry } from '../kinds.js';
import {
  CHECKPOINT_IO,
  GRADIENT_REGISTRY,
  PLUGIN_REGISTRY,
  RUN_CALLBACKS,
  RUN_CONFIG,
  RUN_DATA,
  RUN_INFO,
  RUN_IO,
  RUN_LOGGERS,
  RUN_LOSS,
  RUN_METRICS,
  RUN_MODEL,
  RUN_OPTIMIZER,
  RUN_OPTIONS,
  RUN_PARTS,
  RUN_SCHEDULES,
  RUN_SESSION,
  TRAINER,
} from '../tokens.js';
import { compileBar, describeCompile } from '../compile-bar.js';
import { callbackSpecs, metricSpecs, optimizerSpec } from './config-specs.js';
import { checkStepMemory, estimateStepMemory, memoryLimit } from './memory-estimate.js';
import { dataLoaders, loadRunParts } from './run-data.js';
import { runPaths } from './run-paths.js';
import { scheduleBindings, type SwaLrOptions } from './schedule-bindings.js';

/** `optimizer.groups` of the config (regular expressions over parameter names) as parameter groups. */
function configGroups(config: FitConfig, params: readonly string[]): ParamGroup[] {
  return (config.optimizer.groups ?? []).map((g, i) => {
    let re: RegExp;
    try {
      re = new RegExp(g.params);
    } catch (e) {
      throw new ConfigError(`optimizer.groups[${i}].params: not a regular expression (${(e as Error).message})`);
    }
    const members = params.filter((p) => re.test(p));
    if (!members.length) throw new ConfigError(`optimizer.groups[${i}].params: /${g.params}/ matches no parameter; parameters are: ${params.slice(0, 12).join(', ')}${params.length > 12 ? ', ...' : ''}`);
    return { name: g.name, params: members, lr: g.lr, lrScale: g.lrScale, weightDecay: g.weightDecay };
  });
}

/** `train.parallel`, checked against the batch size (every micro-batch needs an example). */
function parallelOptions(config: FitConfig): ParallelOptions | undefined {
  const p = config.train.parallel;
  if (!p) return undefined;
  const pieces = p.workers * p.accumulate;
  if (pieces > config.data.batchSize) throw new ConfigError(`train.parallel: ${p.workers} workers x ${p.accumulate} micro-batches = ${pieces} pieces, more than data.batchSize ${config.data.batchSize}; every piece needs at least one example (raise the batch size or lower workers/accumulate)`);
  return { workers: p.workers, accumulate: p.accumulate, deviceIds: p.deviceIds };
}

/**
 * Thread counts against the machine: `train.threads` above its cores is lowered to them (ORT
 * starts a pool of that many threads per session; 64 on 2 cores started 267 threads and ran 5x
 * slower), and more data-parallel workers than cores is a warning. A resumed run's recorded
 * threads are kept as they are (they make its results identical). Returns the intra-op threads.
 */
function resourceWarnings(config: FitConfig, resumed: number | undefined, warnings: { code: string; message: string }[]): number | 'auto' {
  const cores = availableParallelism();
  const workers = config.train.parallel?.workers ?? 1;
  if (workers > cores) warnings.push({ code: 'workers-oversubscribed', message: `workers-oversubscribed (${workers} workers, ${cores} cores): train.parallel.workers ${workers} on ${cores} cores: the workers take turns on the cores and each step is slower than with ${cores}; lower train.parallel.workers (raise accumulate for the same batch)` });
  if (resumed !== undefined) return resumed;
  const asked = config.train.threads;
  if (asked === 'auto' || asked <= cores) return asked;
  warnings.push({ code: 'threads-capped', message: `threads-capped (${asked} -> ${cores}): train.threads ${asked} is more than the ${cores} cores of this machine; threads beyond the cores only wait for each other, so ${cores} are used` });
  return cores;
}

/** The `swa` callback spec of a config, parsed by its descriptor (it shapes the lr and the end of the run). */
export function swaSpec(registry: AnnealRegistry, config: FitConfig): { options: SwaLrOptions; path: string } | undefined {
  const found = callbackSpecs(config.callbacks).find((s) => s.spec.type === 'swa');
  return found && { options: registry.parse('callback', found.spec, found.path).options as SwaLrOptions, path: found.path };
}

/** The default loggers of a run: progress always, metrics.jsonl and charts with a run folder; `loggers:` entries of the same type replace them. */
const DEFAULT_LOGGERS = (dir: string | undefined) => [{ type: 'progress' }, ...(dir ? [{ type: 'metrics-jsonl' }, { type: 'charts' }] : [])];

/**
 * Registers how a run is made, as cached factories in the run's container: parts -> model ->
 * data -> loss, optimizer, metrics -> session -> schedules, callbacks, loggers -> Trainer. Nothing
 * runs until TRAINER (or any other token) is resolved; a caller may register its own value for
 * a token first (`RunOptions.provide` does, for data and models made in code).
 */
export function registerRun(c: DependencyContainer): void {
  const once = <T>(token: InjectionToken<T>, make: (r: DependencyContainer) => T) => {
    if (!c.isRegistered(token)) c.register(token, { useFactory: instanceCachingFactory(make) });
  };
  const warnings: { code: string; message: string }[] = [];
  const registry = (r: DependencyContainer) => r.resolve(PLUGIN_REGISTRY);

  once(RUN_PARTS, async (r) => {
    const config = r.resolve(RUN_CONFIG);
    // the one built-in architecture that wants images: sources that can give both (mnist) give [C, H, W]
    return loadRunParts(registry(r), config, { baseDir: r.resolve(RUN_OPTIONS).baseDir!, image: config.model.type === 'cnn' });
  });
  once(RUN_MODEL, async (r) => {
    const config = r.resolve(RUN_CONFIG);
    const provided = r.resolve(RUN_OPTIONS).provide?.data;
    const shape = provided ? { inputDims: provided.inputDims, classes: provided.classes } : await r.resolve(RUN_PARTS).then((p) => ({ inputDims: p.parts.train.x.dims.slice(1), classes: p.classes }));
    return registry(r).build('model', config.model, 'model', { data: shape, seed: config.seed, baseDir: r.resolve(RUN_OPTIONS).baseDir! });
  });
  once(RUN_DATA, async (r) => {
    const { parts, classes } = await r.resolve(RUN_PARTS);
    return dataLoaders(parts, r.resolve(RUN_CONFIG), (await r.resolve(RUN_MODEL)).inputName, classes);
  });
  once(RUN_INFO, async (r): Promise<RunInfo> => {
    const config = r.resolve(RUN_CONFIG);
    const data = await r.resolve(RUN_DATA);
    return { name: config.name, seed: config.seed, epochs: config.train.epochs, batchesPerEpoch: data.train.batchesPerEpoch, classes: data.classes, validation: data.val !== undefined, dir: r.resolve(RUN_OPTIONS).dir };
  });
  once(RUN_LOSS, async (r) => registry(r).build('loss', r.resolve(RUN_CONFIG).loss, 'loss', { classes: (await r.resolve(RUN_DATA)).classes }));
  once(RUN_OPTIMIZER, (r) => registry(r).build('optimizer', optimizerSpec(r.resolve(RUN_CONFIG).optimizer), 'optimizer', {}));
  once(RUN_METRICS, async (r) => {
    const specs = metricSpecs(r.resolve(RUN_CONFIG).metrics);
    const { classes } = await r.resolve(RUN_DATA);
    const make = () => specs.map((s) => registry(r).build('metric', s.spec, s.path, { classes }));
    make(); // every spec is checked before training starts
    return make;
  });
  once(RUN_SESSION, async (r) => {
    const config = r.resolve(RUN_CONFIG);
    const options = r.resolve(RUN_OPTIONS);
    const [model, data, configLoss] = await Promise.all([r.resolve(RUN_MODEL), r.resolve(RUN_DATA), r.resolve(RUN_LOSS)]);
    // a provided training loss (soft targets) trains; the config's loss evaluates val/test on class ids
    const trainLoss = options.provide?.trainLoss;
    const params = model.trainable ? [...model.trainable] : undefined;
    const trainable = params ?? listParameters(model.model);
    const groups = [...configGroups(config, trainable), ...(model.groups ?? [])];
    const o = config.optimizer;
    const optimizer = r.resolve(RUN_OPTIMIZER);
    const parallel = parallelOptions(config);
    // before compiling: a step that cannot fit in memory is an error here, not a heap abort or an OOM kill later
    const first = model.model.graph.initializer.find((t) => t.name !== undefined && trainable.includes(t.name));
    const estimate = estimateStepMemory(model.model, {
      trainable,
      stateSlots: first ? optimizer.stateSlots({ name: first.name!, grad: `${first.name}.grad`, dims: first.dims.map(Number) }).length : 0,
      batchSize: Math.ceil(config.data.batchSize / (parallel?.accumulate ?? 1)),
      input: model.inputName,
      groupSize: config.train.groupSize,
      workers: parallel?.workers,
      ema: !!o.ema,
    });
    checkStepMemory(estimate, memoryLimit(config.train.memoryLimit), config.data.batchSize);
    const threads = resourceWarnings(config, options.threads?.intraOp, warnings);
    // compiling a real backbone's step takes tens of seconds: a bar per phase while it runs, its times after
    const io = r.resolve(RUN_IO);
    const bar = compileBar(io);
    const session = await TrainSession.create({
      model: model.model,
      trainable: params,
      loss: trainLoss ?? configLoss,
      evalLoss: trainLoss ? configLoss : undefined,
      optimizer: { optimizer, lr: o.lr, weightDecay: o.weightDecay, maxGradNorm: o.clip, groups: groups.length ? groups : undefined, ema: o.ema },
      sample: data.trainSample ?? data.train.epochBatches(0).next().value!,
      registry: r.resolve(GRADIENT_REGISTRY),
      device: config.train.device,
      deviceId: config.train.deviceId,
      blockedConvolutions: config.train.blockedConvolutions,
      intraOpThreads: threads,
      loopIntraOpThreads: options.threads?.loop,
      maxThreads: Math.min(2, availableParallelism()),
      batchNorm: config.train.batchNorm,
      parallel,
      seed: config.seed,
      onWarning: (w) => warnings.push({ code: w.kind, message: `${w.kind} (${w.requested} -> ${w.used}): ${w.reason}` }),
      onProgress: bar.onProgress,
    }).finally(bar.stop);
    io.err(`${options.label ?? 'anneal fit'}: ${describeCompile(bar.finish())}`);
    return session;
  });
  once(RUN_SCHEDULES, async (r) => {
    const config = r.resolve(RUN_CONFIG);
    const [data, session] = await Promise.all([r.resolve(RUN_DATA), r.resolve(RUN_SESSION)]);
    return scheduleBindings(registry(r), config, { batchesPerEpoch: data.train.batchesPerEpoch, inputs: session.hyperparameterInputs, swa: swaSpec(registry(r), config) });
  });
  once(RUN_CALLBACKS, async (r) => {
    const run = await r.resolve(RUN_INFO);
    const built: Callback[] = callbackSpecs(r.resolve(RUN_CONFIG).callbacks).map((s) => registry(r).build('callback', s.spec, s.path, { run }));
    return [...built, ...(r.resolve(RUN_OPTIONS).callbacks ?? [])];
  });
  once(RUN_LOGGERS, async (r) => {
    const run = await r.resolve(RUN_INFO);
    const io = r.resolve(RUN_IO);
    const configured = r.resolve(RUN_CONFIG).loggers;
    // a configured logger of a default's type replaces the default (`loggers: [{ type: charts, lossScale: log }]`)
    const defaults = DEFAULT_LOGGERS(run.dir).filter((d) => !configured.some((c) => c.type === d.type && !c.package));
    const specs = [...defaults.map((spec, i) => ({ spec, path: `(default loggers)[${i}]` })), ...configured.map((spec, i) => ({ spec, path: `loggers[${i}]` }))];
    const built: Logger[] = specs.map((s) => registry(r).build('logger', s.spec, s.path, { run, io }));
    return [...built, ...(r.resolve(RUN_OPTIONS).loggers ?? [])];
  });
  once(TRAINER, async (r) => {
    const config = r.resolve(RUN_CONFIG);
    const dir = r.resolve(RUN_OPTIONS).dir;
    const [data, session, schedules, callbacks, metrics] = await Promise.all([r.resolve(RUN_DATA), r.resolve(RUN_SESSION), r.resolve(RUN_SCHEDULES), r.resolve(RUN_CALLBACKS), r.resolve(RUN_METRICS)]);
    const updateRatio = callbackSpecs(config.callbacks).some((s) => s.spec.type === 'update-ratio');
    return new Trainer({
      backend: engineBackend(session, { evaluateWith: config.optimizer.ema ? 'average' : 'current' }),
      train: data.trainBatches ?? data.train,
      val: data.val,
      epochs: config.train.epochs,
      metrics,
      // training metrics read class ids: a provided training loss trains on other labels (soft targets), so none are computed
      trainMetrics: r.resolve(RUN_OPTIONS).provide?.trainLoss ? false : undefined,
      callbacks,
      schedules,
      groupSize: config.train.groupSize,
      normsEvery: updateRatio && !config.train.normsEvery ? 50 : config.train.normsEvery,
      nonFinite: config.train.nonFinite,
      warnings,
      // the data a checkpoint was written with: a resume with another batch size or dataset is refused
      checkpoint: dir ? { dir: runPaths(dir).checkpoints, io: r.resolve(CHECKPOINT_IO), everySteps: config.train.checkpointEverySteps, data: { batchSize: config.data.batchSize, trainExamples: data.sizes.train } } : undefined,
    });
  });
}
