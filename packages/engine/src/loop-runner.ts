import { DataType, type TensorValue } from '@anneal/onnx';
import { optimNames } from '@anneal/optim';
import { createSession, fromOrtTensorAsync, toOrtTensor, type Feeds, type Session } from '@anneal/runtime';
import { EngineError } from './errors.js';
import type { HyperparameterRequest } from './hyperparameter-tensors.js';
import { buildLoopSteps, type LoopSteps } from './loop-steps.js';
import { NonFiniteLossError } from './non-finite.js';
import type { SessionCore } from './session-core.js';
import type { SingleStep } from './single-step.js';
import { batchShapeKey, stackBatches, stackedCount, unstackBatch, type StackedBatches } from './stack-batches.js';
import { stepFeeds, tuningFeeds, withNoise } from './step-feeds.js';
import type { StepManyOptions, StepManyResult, StepResult } from './train-session-types.js';
import { fastestThreadCount } from './tune-threads.js';

interface CompiledLoop {
  steps: LoopSteps;
  session: Session;
  fetch: string[];
}

/** Whether every request of a group asks for the same base lr and the same explicit values. */
function sameValues(requests: readonly HyperparameterRequest[]): boolean {
  const first = requests[0]!;
  const keys = Object.keys(first.values ?? {});
  return requests.every((r) => {
    if (r.lr !== first.lr) return false;
    const values = r.values ?? {};
    if (Object.keys(values).length !== keys.length) return false;
    return keys.every((k) => values[k] === first.values![k]);
  });
}

/**
 * K optimizer steps per `session.run`: the step graph wrapped in an ONNX Loop over stacked
 * batches (compiled on first use, one variant per hyperparameter layout and logits), with a
 * step-by-step replay for non-finite losses, a stepped `hp.step` and shape changes.
 */
export class LoopRunner {
  private readonly loops = new Map<string, Promise<CompiledLoop>>();

  constructor(
    private readonly core: SessionCore,
    private readonly single: SingleStep,
  ) {}

  /** Whether a loop graph has been compiled (its thread count is then known). */
  get compiled(): boolean {
    return this.loops.size > 0;
  }

  /** See TrainSession.stepMany. */
  async stepMany(batches: readonly Record<string, TensorValue>[] | StackedBatches, hp: HyperparameterRequest | readonly HyperparameterRequest[] = {}, options: StepManyOptions = {}): Promise<StepManyResult> {
    const list: readonly Record<string, TensorValue>[] | undefined = Array.isArray(batches) ? (batches as readonly Record<string, TensorValue>[]) : undefined;
    const count = list ? list.length : stackedCount(batches as StackedBatches);
    const requests = Array.isArray(hp) ? (hp as readonly HyperparameterRequest[]) : undefined;
    if (requests && requests.length !== count) throw new EngineError(`stepMany got ${count} batches but ${requests.length} hyperparameter requests; pass one request, or one per batch.`);
    const requestAt = (i: number): HyperparameterRequest => (requests ? requests[i]! : (hp as HyperparameterRequest));
    const losses: number[] = [];
    const logits: TensorValue[] = [];
    const collect = (r: { losses: number[]; logits?: TensorValue[] }) => {
      losses.push(...r.losses);
      if (r.logits) logits.push(...r.logits);
    };
    const one = async (batch: Record<string, TensorValue>, i: number) => {
      const r = await this.single.run(batch, { ...requestAt(i), logits: options.logits });
      collect({ losses: [r.loss], logits: r.logits ? [r.logits] : undefined });
    };
    try {
      if (this.core.parallelStep) {
        // one update per batch through the workers; no Loop graph
        for (let i = 0; i < count; i++) await one(list ? list[i]! : unstackBatch(batches as StackedBatches, i), i);
      } else if (!list) collect(await this.runStacked(batches as StackedBatches, requests ?? [hp as HyperparameterRequest], options));
      else {
        for (let start = 0; start < list.length; ) {
          const key = batchShapeKey(list[start]!);
          let end = start + 1;
          while (end < list.length && batchShapeKey(list[end]!) === key) end++;
          if (end - start === 1) await one(list[start]!, start);
          else collect(await this.runStacked(stackBatches(list.slice(start, end)), requests ? requests.slice(start, end) : [hp as HyperparameterRequest], options));
          start = end;
        }
      }
    } catch (e) {
      if (e instanceof NonFiniteLossError) e.completed = [...losses, ...e.completed];
      throw e;
    }
    return options.logits ? { losses, logits } : { losses };
  }

  /** Compiles a loop graph now (safe to call more than once). */
  async prepare(options: { perStep?: boolean; logits?: boolean } = {}): Promise<void> {
    await this.loopSession(options.perStep ?? false, options.logits ?? false);
  }

  private loopSession(perStep: boolean, logits: boolean): Promise<CompiledLoop> {
    const key = `${perStep}:${logits}`;
    let loop = this.loops.get(key);
    if (!loop) {
      loop = this.compile(perStep, logits).catch((e: unknown) => {
        this.loops.delete(key);
        throw e;
      });
      this.loops.set(key, loop);
    }
    return loop;
  }

  /** `requests` holds one request for every step, or one per step. */
  private async runStacked(group: StackedBatches, requests: readonly HyperparameterRequest[], options: StepManyOptions): Promise<{ losses: number[]; logits?: TensorValue[] }> {
    const core = this.core;
    const k = stackedCount(group);
    if (k === 0) return { losses: [] };
    const stepName = optimNames.hyperparameter('step');
    const stepOverridden = requests.some((r) => r.values !== undefined && Object.hasOwn(r.values, stepName));
    if (k === 1 || stepOverridden) return this.replay(group, k, requests, options);
    const perStep = requests.length > 1 && !sameValues(requests);
    const loop = await this.loopSession(perStep, options.logits ?? false);
    const data = withNoise(core, group.stacked, k);
    const feeds = perStep ? this.perStepFeeds(data, requests, loop.steps.perStep) : stepFeeds(core, data, requests[0]!);
    const out = await loop.session.run(feeds, loop.fetch);
    const losses = Array.from(out[loop.steps.losses]!.data as Float32Array);
    if (!losses.every(Number.isFinite)) return this.replay(group, k, requests, options);
    core.state.update(out, loop.steps.carried);
    core.stepCount += k;
    if (!loop.steps.logits) return { losses };
    const all = await fromOrtTensorAsync(out[loop.steps.logits]!);
    const size = all.data.length / k;
    const logits = Array.from({ length: k }, (_, i) => ({ dataType: all.dataType, dims: all.dims.slice(1), data: (all.data as Float32Array).slice(i * size, (i + 1) * size) }));
    return { losses, logits };
  }

  /** Feeds of the per-step loop: every hyperparameter but the step count as a [K] vector. */
  private perStepFeeds(data: Readonly<Record<string, TensorValue>>, requests: readonly HyperparameterRequest[], names: readonly string[]): Feeds {
    const core = this.core;
    const k = requests.length;
    const vectors = new Map(names.map((n) => [n, new Float32Array(k)]));
    for (let i = 0; i < k; i++) {
      core.hp.write(core.stepCount + 1 + i, requests[i]!);
      const values = core.hp.snapshot();
      for (const [n, v] of vectors) v[i] = values[n]!;
    }
    const feeds = stepFeeds(core, data, requests[0]!);
    for (const [n, v] of vectors) feeds[n] = toOrtTensor({ dataType: DataType.FLOAT, dims: [k], data: v }, n);
    return feeds;
  }

  /** Runs a stack step by step (exact single-step semantics, errors included). */
  private async replay(group: StackedBatches, k: number, requests: readonly HyperparameterRequest[], options: StepManyOptions): Promise<{ losses: number[]; logits?: TensorValue[] }> {
    const losses: number[] = [];
    const logits: TensorValue[] = [];
    for (let i = 0; i < k; i++) {
      let r: StepResult;
      try {
        r = await this.single.run(unstackBatch(group, i), { ...(requests[i] ?? requests[0]!), logits: options.logits });
      } catch (e) {
        if (e instanceof NonFiniteLossError) e.completed = [...losses];
        throw e;
      }
      losses.push(r.loss);
      if (r.logits) logits.push(r.logits);
    }
    return options.logits ? { losses, logits } : { losses };
  }

  private async compile(perStep: boolean, logits: boolean): Promise<CompiledLoop> {
    const core = this.core;
    const stepName = optimNames.hyperparameter('step');
    const steps = buildLoopSteps(core.trainStep, { perStep: perStep ? core.hp.names.filter((n) => n !== stepName) : [], logits });
    let options = core.sessionOptions;
    if (core.loopThreadCount !== undefined) options = { ...options, intraOpThreads: core.loopThreadCount };
    else if (core.tuning) {
      // the loop's best thread count can differ from a single step's: time it on 8 copies of the sample
      const stacked = stackBatches(Array.from({ length: 8 }, () => core.tuning!.sample));
      const feeds = tuningFeeds(core.trainStep, await core.state.values(), stacked.stacked, true);
      if (perStep) for (const n of steps.perStep) feeds[n] = { dataType: DataType.FLOAT, dims: [8], data: new Float32Array(8).fill(core.trainStep.hyperparameters[n]!) };
      options = { ...options, intraOpThreads: (await fastestThreadCount(steps.model, feeds, options, core.tuning.candidates)).threads };
      core.loopThreadCount = options.intraOpThreads;
    }
    const session = await createSession(steps.model, options);
    return { steps, session, fetch: [steps.losses, ...Object.keys(steps.carried), ...(steps.logits ? [steps.logits] : [])] };
  }

  async release(): Promise<void> {
    const loops = [...this.loops.values()];
    this.loops.clear();
    for (const loop of loops) await (await loop).session.release();
  }
}
