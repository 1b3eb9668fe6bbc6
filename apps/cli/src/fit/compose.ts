import type { DependencyContainer, InjectionToken } from 'tsyringe';
import { accuracy, earlyStopping, modelCheckpoint, stochasticWeightAveraging, topK, Trainer, updateRatioMonitor, type Callback, type Metric, type ScheduleBinding } from '@anneal/core';
import { buildCnn, buildMlp, engineBackend, prepareModel, TrainSession, type LossSpec, type ParallelOptions, type WeightChoice } from '@anneal/engine';
import { listParameters } from '@anneal/autograd';
import type { ModelProto } from '@anneal/onnx';
import type { ParamGroup } from '@anneal/optim';
import { batchScaling, swaLr } from '@anneal/schedulers';
import type { RuntimeWarning } from '@anneal/runtime';
import { CliError } from '../cli-error';
import { CHECKPOINT_IO, resolveOptimizer, SCHEDULER_REGISTRY } from '../container';
import type { FitConfig } from './config-schema';
import { buildData, type RunData } from './build-data';

export const FIT_CONFIG: InjectionToken<FitConfig> = Symbol('anneal.fit-config');
export const RUN_DATA: InjectionToken<RunData> = Symbol('anneal.run-data');
export const CALLBACKS: InjectionToken<Callback> = Symbol('anneal.callbacks');

/** Options of {@link composeRun}. */
export interface ComposeOptions {
  checkpointDir: string;
  extraCallbacks?: Callback[];
  onWarning?: (w: RuntimeWarning) => void;
  threads?: { intraOp: number; loop?: number };
  /** Data made once by the caller and shared by several runs (anneal recipe) instead of loaded from `config.data`. */
  data?: RunData;
  /** Data and model made by the caller (anneal finetune) instead of from `config.data` / `config.model`. */
  prebuilt?: { data: RunData; model: ModelProto; trainable?: string[]; groups?: ParamGroup[] };
}

/** A composed run: the Trainer and what the CLI reports and exports from. */
export interface ComposedRun {
  trainer: Trainer;
  session: TrainSession;
  data: RunData;
  model: ModelProto;
  schedules: ScheduleBinding[];
  /** The weights validation, test and export use: the average when `optimizer.ema` is set. */
  weights: WeightChoice;
  /** The SWA callback when `callbacks.swa` is set. */
  swa?: ReturnType<typeof stochasticWeightAveraging>;
}

function loadOnnx(m: Extract<FitConfig['model'], { kind: 'onnx' }>): { model: ModelProto; inputName: string } {
  const { model } = prepareModel(m.path);
  const inits = new Set(model.graph.initializer.map((t) => t.name));
  const inputName = m.inputName ?? model.graph.input.find((i) => !inits.has(i.name))?.name;
  if (!inputName) throw new CliError(`model.path ${m.path}: the model has no data input; name it with model.inputName`);
  return { model, inputName };
}

function buildModel(config: FitConfig, data: RunData): ModelProto {
  const m = config.model;
  if (m.kind === 'cnn') {
    if (data.inputDims.length !== 3) throw new CliError(`model.kind cnn needs image inputs [C, H, W]; the data has per-example dims [${data.inputDims.join(', ')}] (for MNIST set data.source.image: true)`);
    return buildCnn({ ...m, input: data.inputDims as [number, number, number], classes: data.classes, seed: m.seed ?? config.seed });
  }
  if (m.kind !== 'mlp') throw new CliError(`model.kind '${m.kind}' is loaded, not built`);
  if (data.inputDims.length !== 1) throw new CliError(`model.kind mlp needs flat inputs; the data has per-example dims [${data.inputDims.join(', ')}]`);
  return buildMlp({ sizes: [data.inputDims[0]!, ...m.hidden, data.classes], activation: m.activation, dropout: m.dropout, seed: m.seed ?? config.seed });
}

function metric(name: string): Metric {
  if (name === 'accuracy') return accuracy();
  return topK(Number(name.slice(3)));
}

type SwaConfig = NonNullable<FitConfig['callbacks']['swa']>;

/**
 * The lr bindings of a run with an SWA phase: the base-lr bindings (their product, or the constant
 * optimizer lr) until `startEpoch`, then the SWALR anneal to `swa.lr`. Per-epoch and plateau lr
 * schedules cannot be combined with it.
 */
function withSwaLr(bindings: ScheduleBinding[], swa: SwaConfig & { lr: number }, lr: number, batchesPerEpoch: number): ScheduleBinding[] {
  const base = bindings.filter((b) => b.target === 'lr' && !b.group);
  if (base.some((b) => b.interval === 'epoch' || b.schedule.observe)) throw new CliError('callbacks.swa.lr: the lr schedules include a per-epoch or plateau schedule, which cannot be combined with the SWA lr phase; use per-step lr schedules, or leave swa.lr out and write the SWA phase into schedules');
  const inner = { valueAt: (step: number) => (base.length ? base.reduce((v, b) => v * b.schedule.valueAt(step), 1) : lr) };
  const schedule = swaLr(inner, { start: swa.startEpoch * batchesPerEpoch, annealSteps: swa.annealEpochs * batchesPerEpoch, swaLr: swa.lr, strategy: swa.annealStrategy });
  return [...bindings.filter((b) => !base.includes(b)), { target: 'lr', interval: 'step', schedule }];
}

/**
 * `optimizer.largeBatch`: one more base-lr binding, the batch-scaling factor (Goyal et al.'s
 * warmup from 1 to batch/baseBatch, then held). The Trainer multiplies bindings of one input, so
 * the configured schedules keep their shape; without any, the constant `optimizer.lr` is scaled.
 * Groups with their own `lr` do not follow the base rate, so each gets the factor as a group
 * binding too (times its lr unless a schedule already drives the group): the batch grew for every
 * parameter, not only for the base group.
 */
function withBatchScaling(bindings: ScheduleBinding[], config: FitConfig, batchesPerEpoch: number, groups: readonly ParamGroup[] = []): ScheduleBinding[] {
  const lb = config.optimizer.largeBatch;
  if (!lb) return bindings;
  const factor = batchScaling({ batch: config.data.batchSize, baseBatch: lb.baseBatch, rule: lb.rule, warmupSteps: Math.round(lb.warmupEpochs * batchesPerEpoch) });
  const scaled = (driven: boolean, lr: number) => (driven ? factor : { valueAt: (step: number) => lr * factor.valueAt(step) });
  const base: ScheduleBinding = { target: 'lr', interval: 'step', schedule: scaled(bindings.some((b) => b.target === 'lr' && !b.group), config.optimizer.lr) };
  const own = groups.filter((g) => g.lr !== undefined).map((g): ScheduleBinding => ({ target: 'lr', group: g.name, interval: 'step', schedule: scaled(bindings.some((b) => b.target === 'lr' && b.group === g.name), g.lr!) }));
  return [...bindings, base, ...own];
}

/** `train.parallel`, checked against the batch size (every micro-batch needs an example). */
function parallelOptions(config: FitConfig): ParallelOptions | undefined {
  const p = config.train.parallel;
  if (!p) return undefined;
  const pieces = p.workers * p.accumulate;
  if (pieces > config.data.batchSize) throw new CliError(`train.parallel: ${p.workers} workers x ${p.accumulate} micro-batches = ${pieces} pieces, more than data.batchSize ${config.data.batchSize}; every piece needs at least one example (raise the batch size or lower workers/accumulate)`);
  return { workers: p.workers, accumulate: p.accumulate, deviceIds: p.deviceIds };
}

/**
 * Assembles a run from a validated config through the container: data, model, optimizer
 * (resolved by id), schedules (resolved by id from built-in and plugin descriptors), callbacks,
 * the compiled train step and the Trainer. Only the CLI calls this; packages never see the container.
 */
export async function composeRun(c: DependencyContainer, config: FitConfig, options: ComposeOptions): Promise<ComposedRun> {
  c.register(FIT_CONFIG, { useValue: config });
  const prebuilt = options.prebuilt;
  const onnx = !prebuilt && config.model.kind === 'onnx' ? loadOnnx(config.model) : undefined;
  const data = prebuilt?.data ?? options.data ?? buildData(config, onnx?.inputName ?? 'x');
  c.register(RUN_DATA, { useValue: data });
  const model = prebuilt?.model ?? onnx?.model ?? buildModel(config, data);
  const o = config.optimizer;
  const optimizer = resolveOptimizer(c, o.type).create({ momentum: o.momentum, beta1: o.beta1, beta2: o.beta2, eps: o.eps, hypergradientLr: o.hypergradientLr, trustCoefficient: o.trustCoefficient, exclude: o.exclude });
  const params = prebuilt?.trainable ?? listParameters(model);
  const configured = o.groups?.map((g, i) => {
    let re: RegExp;
    try {
      re = new RegExp(g.params);
    } catch (e) {
      throw new CliError(`optimizer.groups[${i}].params: not a regular expression (${(e as Error).message})`);
    }
    const members = params.filter((p) => re.test(p));
    if (!members.length) throw new CliError(`optimizer.groups[${i}].params: /${g.params}/ matches no parameter; parameters are: ${params.slice(0, 12).join(', ')}${params.length > 12 ? ', ...' : ''}`);
    return { name: g.name, params: members, lr: g.lr, lrScale: g.lrScale, weightDecay: g.weightDecay };
  });
  const groups = configured || prebuilt?.groups?.length ? [...(configured ?? []), ...(prebuilt?.groups ?? [])] : undefined;
  const loss: LossSpec = { kind: 'cross-entropy', labelSmoothing: config.loss.labelSmoothing };
  const sample = data.train.epochBatches(0).next().value!;
  const warnings: { code: string; message: string }[] = [];
  const session = await TrainSession.create({
    model,
    trainable: prebuilt?.trainable,
    loss,
    optimizer: { optimizer, lr: o.lr, weightDecay: o.weightDecay, maxGradNorm: o.clip, groups, ema: o.ema },
    sample,
    device: config.train.device,
    deviceId: config.train.deviceId,
    intraOpThreads: options.threads?.intraOp ?? config.train.threads,
    loopIntraOpThreads: options.threads?.loop,
    maxThreads: 2,
    batchNorm: config.train.batchNorm,
    parallel: parallelOptions(config),
    seed: config.seed,
    onWarning: (w) => {
      warnings.push({ code: w.kind, message: `${w.kind} (${w.requested} -> ${w.used}): ${w.reason}` });
      options.onWarning?.(w);
    },
  });
  const registry = c.resolve(SCHEDULER_REGISTRY);
  const cb = config.callbacks;
  const built: ScheduleBinding[] = config.schedules.map((s, i) => ({ target: s.target, group: s.group, interval: s.interval, monitor: s.monitor, schedule: registry.build(s.schedule, `schedules[${i}].schedule`) }));
  const scaled = withBatchScaling(built, config, data.train.batchesPerEpoch, groups);
  const schedules = cb.swa?.lr !== undefined ? withSwaLr(scaled, cb.swa as SwaConfig & { lr: number }, o.lr, data.train.batchesPerEpoch) : scaled;
  if (cb.earlyStopping) c.register(CALLBACKS, { useValue: earlyStopping(cb.earlyStopping) });
  if (cb.modelCheckpoint) c.register(CALLBACKS, { useValue: modelCheckpoint(cb.modelCheckpoint) });
  if (cb.updateRatio) c.register(CALLBACKS, { useValue: updateRatioMonitor(cb.updateRatio) });
  const swa = cb.swa ? stochasticWeightAveraging(cb.swa) : undefined;
  if (swa) {
    if (cb.swa!.startEpoch >= config.train.epochs) throw new CliError(`callbacks.swa.startEpoch ${cb.swa!.startEpoch}: the run has only ${config.train.epochs} epochs (0..${config.train.epochs - 1}); start averaging earlier`);
    c.register(CALLBACKS, { useValue: swa });
  }
  for (const extra of options.extraCallbacks ?? []) c.register(CALLBACKS, { useValue: extra });
  const callbacks = c.isRegistered(CALLBACKS) ? c.resolveAll(CALLBACKS) : [];
  const trainer = new Trainer({
    backend: engineBackend(session, { evaluateWith: o.ema ? 'average' : 'current' }),
    train: data.train,
    val: data.val,
    epochs: config.train.epochs,
    metrics: () => config.metrics.map(metric),
    callbacks,
    schedules,
    groupSize: config.train.groupSize,
    normsEvery: cb.updateRatio && !config.train.normsEvery ? 50 : config.train.normsEvery,
    nonFinite: config.train.nonFinite,
    warnings,
    checkpoint: { dir: options.checkpointDir, io: c.resolve(CHECKPOINT_IO), everySteps: config.train.checkpointEverySteps },
  });
  return { trainer, session, data, model, schedules, weights: o.ema ? 'average' : 'current', swa };
}
