import { fromOrtTensorAsync, createSession, type Feeds, type Session } from '@anneal/runtime';
import type { TensorValue } from '@anneal/onnx';
import type { HyperparameterRequest } from './hyperparameter-tensors.js';
import { locateNonFinite, NonFiniteLossError } from './non-finite.js';
import type { SessionCore } from './session-core.js';
import { stepFeeds, withNoise } from './step-feeds.js';
import type { StepResult } from './train-session-types.js';

/** Result of one step, with the per-tensor norms when they were asked for. */
export type SingleStepResult = StepResult & { stats?: Record<string, number> };

/**
 * One optimizer step per `session.run`: the plain graph, or the full graph with the norm outputs
 * (compiled on the first step that asks for them), or the data-parallel step.
 */
export class SingleStep {
  private statsSession: Promise<Session> | undefined;
  private readonly fetchPlain: readonly string[];
  private readonly fetchWithStats: readonly string[];

  constructor(private readonly core: SessionCore) {
    this.fetchPlain = [core.trainStep.loss, ...Object.keys(core.carriedOutputs)];
    this.fetchWithStats = [...this.fetchPlain, ...core.trainStep.stats];
  }

  async run(batch: Record<string, TensorValue>, hp: HyperparameterRequest & { stats?: boolean; logits?: boolean } = {}): Promise<SingleStepResult> {
    const core = this.core;
    if (core.parallelStep) return this.parallel(batch, hp);
    const session = hp.stats ? await this.withStats() : core.session;
    const feeds = stepFeeds(core, withNoise(core, batch), hp);
    const fetch = hp.stats ? this.fetchWithStats : this.fetchPlain;
    const out = await session.run(feeds, hp.logits ? [...fetch, core.trainStep.logits] : fetch);
    const loss = Number(out[core.trainStep.loss]!.data[0]);
    if (!Number.isFinite(loss)) throw await this.nonFinite(loss, feeds);
    core.state.update(out, core.carriedOutputs);
    core.stepCount++;
    const result: SingleStepResult = { loss };
    if (hp.logits) result.logits = await fromOrtTensorAsync(out[core.trainStep.logits]!);
    if (hp.stats) {
      const stats: Record<string, number> = {};
      for (const s of core.trainStep.stats) stats[s] = Number(out[s]!.data[0]);
      result.stats = stats;
    }
    return result;
  }

  private async parallel(batch: Record<string, TensorValue>, hp: HyperparameterRequest & { stats?: boolean; logits?: boolean }): Promise<SingleStepResult> {
    const core = this.core;
    core.hp.write(core.stepCount + 1, hp);
    const r = await core.parallelStep!.run(core.state, core.hp.tensors, withNoise(core, batch), { logits: hp.logits, stats: hp.stats });
    if (!Number.isFinite(r.loss)) throw new NonFiniteLossError(r.loss, core.stepCount + 1, core.trainStep.loss);
    core.state.update(r.outputs, core.parallelStep!.carried);
    core.stepCount++;
    const result: SingleStepResult = { loss: r.loss };
    if (r.logits) result.logits = r.logits;
    if (r.stats) result.stats = r.stats;
    return result;
  }

  private async nonFinite(loss: number, feeds: Feeds): Promise<NonFiniteLossError> {
    const step = this.core.stepCount + 1;
    let tensor: string | undefined;
    let node: string | undefined;
    try {
      ({ tensor, node } = (await locateNonFinite(this.core.trainStep.model, feeds, this.core.sessionOptions)) ?? {});
    } catch {
      // locating is best effort: the error below still names the step
    }
    return new NonFiniteLossError(loss, step, tensor ?? this.core.trainStep.loss, node);
  }

  private withStats(): Promise<Session> {
    return (this.statsSession ??= createSession(this.core.trainStep.model, this.core.sessionOptions).catch((e: unknown) => {
      this.statsSession = undefined;
      throw e;
    }));
  }

  async release(): Promise<void> {
    const stats = this.statsSession;
    this.statsSession = undefined;
    if (stats) await (await stats).release();
  }
}
