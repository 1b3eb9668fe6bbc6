import type { TrainStep } from '@anneal/autograd';
import type { ModelProto, TensorValue } from '@anneal/onnx';
import type { HyperparameterInput, OptimizerUpdate } from '@anneal/optim';
import { saveCheckpoint, type Device } from '@anneal/runtime';
import { compileSession } from './compile-session.js';
import { ForwardPass } from './forward-pass.js';
import type { HyperparameterRequest } from './hyperparameter-tensors.js';
import { LoopRunner } from './loop-runner.js';
import type { SessionCore } from './session-core.js';
import { exportInference, parameterValues, refreshBatchNorm, restoreState, runningStatisticValues, stateValues } from './session-state.js';
import { SingleStep } from './single-step.js';
import type { StackedBatches } from './stack-batches.js';
import type { EvalResult, StepManyOptions, StepManyResult, StepResult, TrainSessionOptions, WeightChoice } from './train-session-types.js';
import { hasWeightAverage } from './weight-names.js';

export type { EvalResult, StepManyOptions, StepManyResult, StepResult, TrainSessionOptions, WeightChoice } from './train-session-types.js';

/**
 * A compiled train step running on ONNX Runtime: forward, loss, backward and optimizer update in
 * one `session.run`, with parameters and optimizer state kept as ORT tensors between steps.
 *
 * @example
 * const s = await TrainSession.create({ model, loss: { kind: 'cross-entropy' }, optimizer: { optimizer: adam(), lr: 1e-3 }, sample });
 * const { loss } = await s.step({ x, labels });
 */
export class TrainSession {
  private readonly single: SingleStep;
  private readonly loop: LoopRunner;
  private readonly forward: ForwardPass;

  private constructor(
    private readonly core: SessionCore,
    evalModel: ModelProto,
  ) {
    this.single = new SingleStep(core);
    this.loop = new LoopRunner(core, this.single);
    this.forward = new ForwardPass(core, evalModel);
  }

  /** Compiles the step graph (see compile-session.ts) and opens its sessions. */
  static async create(options: TrainSessionOptions): Promise<TrainSession> {
    const { core, evalModel } = await compileSession(options);
    return new TrainSession(core, evalModel);
  }

  /** The compiled train step (graph, parameter and state names, stats). */
  get trainStep(): TrainStep {
    return this.core.trainStep;
  }

  /** The optimizer update the step graph applies (what it carries and which hyperparameters it takes). */
  get update(): OptimizerUpdate {
    return this.core.update;
  }

  /** The evaluation graph (forward + loss + argmax). */
  get evalModel(): ModelProto {
    return this.forward.evalModel;
  }

  /** The forward model the step was compiled from. */
  get source(): ModelProto {
    return this.core.source;
  }

  /** The device the sessions run on (after any fallback). */
  get device(): Device {
    return this.core.session.device;
  }

  /** Intra-op threads of the single-step sessions (chosen by timing when created with `intraOpThreads: 'auto'`). */
  get intraOpThreads(): number {
    return this.core.sessionOptions.intraOpThreads ?? 2;
  }

  /** Intra-op threads of the stepMany loop session, once compiled (tuned separately under `'auto'`). */
  get loopThreads(): number | undefined {
    return this.loop.compiled ? (this.core.loopThreadCount ?? this.intraOpThreads) : undefined;
  }

  /** Number of optimizer steps taken. */
  get steps(): number {
    return this.core.stepCount;
  }

  /** Names and default values of the hyperparameter inputs. */
  get hyperparameters(): Record<string, number> {
    return { ...this.core.trainStep.hyperparameters };
  }

  /** What each hyperparameter input is (role, group, default, whether it follows the base lr), as the compiled update describes it. */
  get hyperparameterInputs(): readonly HyperparameterInput[] {
    return this.core.update.hyperparameters;
  }

  /** Workers and micro-batches per update when training data-parallel (both 1 otherwise). */
  get parallelism(): { workers: number; accumulate: number } {
    return { workers: this.core.parallelStep?.workers ?? 1, accumulate: this.core.parallelStep?.accumulate ?? 1 };
  }

  /**
   * Runs one training step on a batch (`labels` plus the model's inputs). `lr` sets the base
   * learning rate (e.g. from a schedule); `values` override any hyperparameter input by name.
   * Plain steps run the graph without the norm outputs; the first step with `stats: true`
   * compiles the full graph. A non-finite loss throws {@link NonFiniteLossError} (naming the
   * first tensor that went non-finite) and leaves the parameters at their last finite values.
   */
  step(batch: Record<string, TensorValue>, hp: HyperparameterRequest & { stats?: boolean; logits?: boolean } = {}): Promise<StepResult & { stats?: Record<string, number> }> {
    return this.single.run(batch, hp);
  }

  /**
   * Runs one optimizer step per batch, in order, with the same results as calling {@link step}
   * on each (to float rounding). Consecutive batches of equal shapes run as one ONNX `Loop`
   * (one `session.run` for the whole group), so parameters and optimizer state stay inside
   * ONNX Runtime between the steps; a batch whose shapes differ from its neighbours' (a final
   * partial batch) runs as a single step. `hp` is either one request for every step or one per
   * batch (a schedule moving inside the group: the loop then takes every hyperparameter as a
   * [K] vector); `hp.step` counts up as in single steps. Pass {@link StackedBatches} (inputs as
   * [K, ...]) to skip the stacking copy. An explicit `values['hp.step']` runs single steps. The
   * loop graphs are compiled on first use (or by {@link prepareStepMany}).
   *
   * A non-finite loss anywhere in a group discards the group's result and replays it step by
   * step, so the error is thrown at the same step as {@link step} would, with the steps before
   * it applied and the parameters at their last finite values.
   *
   * @example
   * const { losses } = await s.stepMany(batchesOfOneEpoch.slice(0, 16), { lr: schedule.valueAt(s.steps) });
   */
  stepMany(batches: readonly Record<string, TensorValue>[] | StackedBatches, hp: HyperparameterRequest | readonly HyperparameterRequest[] = {}, options: StepManyOptions = {}): Promise<StepManyResult> {
    return this.loop.stepMany(batches, hp, options);
  }

  /**
   * Compiles the multi-step loop graph now rather than on the first {@link stepMany} call (for
   * instance before a timed region). Safe to call more than once.
   *
   * @example
   * await s.prepareStepMany();
   */
  prepareStepMany(options: { perStep?: boolean; logits?: boolean } = {}): Promise<void> {
    return this.loop.prepare(options);
  }

  /** Whether the step graph keeps an average of the weights (`optimizer.ema`). */
  get hasWeightAverage(): boolean {
    return hasWeightAverage(this.core);
  }

  /**
   * Loss and logits of one batch (`labels` plus the model's inputs) with the current parameters,
   * BatchNormalization in inference mode; nothing is updated.
   *
   * @example
   * const { loss, logits } = await s.evaluateBatch({ x, labels });
   */
  evaluateBatch(batch: Readonly<Record<string, TensorValue>>, options: { weights?: WeightChoice } = {}): Promise<{ loss: number; logits: TensorValue }> {
    return this.forward.evaluateBatch(batch, options);
  }

  /**
   * Logits for inputs without labels (the model's data inputs by name), with the current
   * parameters; the forward graph is compiled on first use.
   *
   * @example
   * const logits = await s.predict({ x });
   */
  predict(inputs: Readonly<Record<string, TensorValue>>, options: { weights?: WeightChoice } = {}): Promise<TensorValue> {
    return this.forward.predict(inputs, options);
  }

  /** Mean loss and accuracy (for class-id labels) over batches, with the current (or averaged) parameters. */
  evaluate(batches: Iterable<Record<string, TensorValue>>, options: { weights?: WeightChoice } = {}): Promise<EvalResult> {
    return this.forward.evaluate(batches, options);
  }

  /**
   * Replaces parameters, optimizer state and running statistics (all of {@link stateValues}, as
   * saved in a checkpoint) and sets the optimizer step count, e.g. to resume a run. Every name
   * and shape is checked before anything changes.
   *
   * @example
   * const { tensors, metadata } = loadCheckpoint(path);
   * await s.restoreState(tensors, Number(metadata.step));
   */
  async restoreState(values: Readonly<Record<string, TensorValue>>, steps: number): Promise<void> {
    restoreState(this.core, values, steps);
  }

  /** Current (or averaged) parameter values, by parameter name (copied out of ORT). */
  parameters(options: { weights?: WeightChoice } = {}): Promise<Record<string, TensorValue>> {
    return parameterValues(this.core, options.weights);
  }

  /**
   * Parameters, optimizer state, running statistics and, when Dropout masks come from noise, the
   * noise seed (`rng.dropout_seed`, int64), e.g. for a checkpoint.
   */
  stateValues(): Promise<Record<string, TensorValue>> {
    return stateValues(this.core);
  }

  /** Saves parameters and optimizer state as a safetensors checkpoint (atomically). */
  async saveCheckpoint(path: string, metadata: Record<string, string> = {}): Promise<void> {
    saveCheckpoint(path, await this.stateValues(), { step: String(this.core.stepCount), optimizer: this.core.update.optimizer, ...metadata });
  }

  /**
   * BatchNormalization running statistics as trained so far (empty unless some BN runs in
   * training mode); with `weights: 'average'`, their weight-average counterparts (the step graph
   * averages the running statistics along with the parameters).
   */
  runningStatistics(options: { weights?: WeightChoice } = {}): Promise<Record<string, TensorValue>> {
    return runningStatisticValues(this.core, options.weights);
  }

  /**
   * A plain inference model: the forward graph with the trained parameters (and updated running
   * statistics) as initializers, BatchNormalization in inference mode.
   */
  exportInference(source: ModelProto, options: { weights?: WeightChoice } = {}): Promise<ModelProto> {
    return exportInference(this.core, source, options.weights);
  }

  /**
   * Recomputes the BatchNormalization running statistics over `batches` with the current (or
   * averaged) weights, as needed after loading averaged weights (SWA): see batchNormStatistics.
   * The session must carry the statistics (`batchNorm: 'train'`). Returns the new statistics.
   *
   * @example
   * await backend.loadWeights(swa.average()); await s.refreshBatchNorm(loader.epochBatches(0));
   */
  refreshBatchNorm(batches: Iterable<Readonly<Record<string, TensorValue>>>, options: { weights?: WeightChoice } = {}): Promise<Record<string, TensorValue>> {
    return refreshBatchNorm(this.core, batches, options.weights);
  }

  async release(): Promise<void> {
    await this.core.parallelStep?.release();
    await this.loop.release();
    await this.forward.release();
    await this.single.release();
    await this.core.session.release();
  }
}
