import { compileTrainStep, defaultGradientRegistry, listParameters } from '@anneal/autograd';
import { DataType, tensorToValue, type ModelProto, type TensorValue } from '@anneal/onnx';
import { emitOptimizerUpdate, type OptimizerUpdate } from '@anneal/optim';
import { createSession, nchwcBlockSize, ortExecutor, StateStore, type SessionOptions } from '@anneal/runtime';
import { buildEvalModel } from './eval-model.js';
import { EngineError } from './errors.js';
import { HyperparameterTensors } from './hyperparameter-tensors.js';
import { resolveLoss } from './loss-spec.js';
import { ParallelStep } from './parallel-step.js';
import type { SessionCore } from './session-core.js';
import { tuningFeeds } from './step-feeds.js';
import type { TrainSessionOptions } from './train-session-types.js';
import { fastestThreadCount } from './tune-threads.js';
import { withoutStats } from './without-stats.js';

/** What compiling a train session makes: the shared core, and the evaluation graph. */
export interface CompiledSession {
  core: SessionCore;
  evalModel: ModelProto;
}

/**
 * Compiles a train session: the fused step graph (forward + loss + backward + optimizer update)
 * with its initial carried state, the thread count (timed under `'auto'`), the plain step
 * session, the evaluation graph (its session is opened on the first evaluation: a session that only
 * trains never holds a second copy of the weights) and, for data parallelism, the parallel step.
 */
export async function compileSession(options: TrainSessionOptions): Promise<CompiledSession> {
  const device = options.device ?? 'cpu';
  const auto = options.intraOpThreads === 'auto';
  const maxThreads = options.maxThreads ?? 2;
  const fixedThreads = typeof options.intraOpThreads === 'number' ? options.intraOpThreads : maxThreads;
  const sessionOptions: SessionOptions = { device, deviceId: options.deviceId, intraOpThreads: fixedThreads, onWarning: options.onWarning };
  // the shape probe runs on the CPU kernels of the same runtime: onnxruntime-web's wasm for the web devices
  const executor = ortExecutor({ device: device === 'wasm' || device === 'webgpu' ? 'wasm' : 'cpu', intraOpThreads: fixedThreads });
  const trainable = options.trainable ?? listParameters(options.model);
  if (trainable.length === 0) throw new EngineError('the model has no trainable float initializers; promote Constant weights first (prepareModel) or list `trainable`');
  const loss = resolveLoss(options.loss);
  const registry = options.registry ?? defaultGradientRegistry();
  let update: OptimizerUpdate | undefined;
  const labelsDims = options.sample.labels?.dims.map((d, i) => (i === 0 ? 'N' : d)) ?? ['N'];
  const nchwcBlock = device === 'cpu' && options.blockedConvolutions !== false ? await nchwcBlockSize() : undefined;
  const step = await compileTrainStep({
    model: options.model,
    executor,
    sample: options.sample,
    registry,
    trainable,
    labels: { name: 'labels', dataType: loss.labels, dims: labelsDims },
    loss: loss.emit,
    batchNorm: options.batchNorm,
    dropoutSeed: options.seed,
    dropoutNoise: true,
    nchwcBlock,
    onProgress: options.onProgress,
    update: (b, params, buffers) => {
      update = emitOptimizerUpdate(b, { ...options.optimizer, params: params.map((p) => ({ name: p.name, grad: p.grad, dims: options.model.graph.initializer.find((t) => t.name === p.name)?.dims })), ...(options.optimizer.ema && buffers.length ? { averageAlso: buffers } : {}) });
      const carried: Record<string, string> = {};
      for (const c of [...update.params, ...update.state]) carried[c.input] = c.output;
      const hyperparameters: Record<string, number> = {};
      for (const h of update.hyperparameters) hyperparameters[h.name] = h.value;
      return { carried, hyperparameters, stats: update.stats.map((s) => s.name) };
    },
  });
  await executor.release(); // the shape probe's session: freed before the step's sessions are created
  const initial: Record<string, TensorValue> = {};
  for (const p of step.params) initial[p] = tensorToValue(step.initialParams[p]!);
  for (const r of step.runningStats) initial[r.input] = tensorToValue(r.initial);
  for (const s of update!.state) {
    const dims = (s.dims ?? step.initialParams[s.param]!.dims).map(Number);
    initial[s.input] = { dataType: DataType.FLOAT, dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) };
  }
  // plain steps run the graph without the stats nodes; the full graph is compiled on the first step asking for stats
  const plain = withoutStats(step);
  options.onProgress?.('session', 0, 1);
  const tuning = auto && device === 'cpu' && maxThreads > 1 ? { candidates: Array.from({ length: maxThreads }, (_, i) => i + 1), sample: options.sample } : undefined;
  if (tuning) sessionOptions.intraOpThreads = (await fastestThreadCount(plain, tuningFeeds(step, initial, options.sample, false), sessionOptions, tuning.candidates)).threads;
  const session = await createSession(plain, sessionOptions);
  // the other sessions run on the device the step's session got, and warn nothing again
  const quietOptions: SessionOptions = { ...sessionOptions, device: session.device, onWarning: undefined };
  options.onProgress?.('session', 1, 1);
  const evalModel = buildEvalModel(options.model, step, options.evalLoss ?? loss);
  const carriedOutputs: Record<string, string> = {};
  for (const [input, output] of Object.entries(step.carried)) carriedOutputs[output] = input;
  const parallel = options.parallel;
  const parallelStep =
    parallel && ((parallel.workers ?? 1) > 1 || (parallel.accumulate ?? 1) > 1)
      ? await ParallelStep.create({ model: options.model, trainable, loss, optimizer: options.optimizer, sample: options.sample, registry, batchNorm: options.batchNorm, seed: options.seed, executor, sessionOptions: quietOptions, parallel, onWarning: options.onWarning, nchwcBlock })
      : undefined;
  const core: SessionCore = {
    trainStep: step,
    update: update!,
    source: options.model,
    state: new StateStore(initial),
    hp: new HyperparameterTensors(update!.hyperparameters),
    carriedOutputs,
    session,
    sessionOptions: quietOptions,
    tuning,
    parallelStep,
    stepCount: 0,
    // without a seed the masks are still a function of (seed, step), from a seed drawn here
    noiseSeed: options.seed ?? Math.floor(Math.random() * 2 ** 32),
    loopThreadCount: options.loopIntraOpThreads,
    nchwcBlock,
  };
  return { core, evalModel };
}
