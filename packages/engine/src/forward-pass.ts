import { blockConvs, cloneModel, type ModelProto, type TensorValue } from '@anneal/onnx';
import { createSession, fromOrtTensorAsync, type OrtTensor, type Session } from '@anneal/runtime';
import { buildPredictModel } from './eval-model.js';
import type { SessionCore } from './session-core.js';
import type { EvalResult, WeightChoice } from './train-session-types.js';
import { statisticName, weightName } from './weight-names.js';

/**
 * The forward graphs of a session, fed the carried parameters (current or averaged) and running
 * statistics without copying them out of ORT: evaluation (loss + argmax) and prediction (logits).
 */
export class ForwardPass {
  private predictSession: Promise<Session> | undefined;
  private evalSession: Promise<Session> | undefined;

  constructor(
    private readonly core: SessionCore,
    readonly evalModel: ModelProto,
  ) {}

  /**
   * A session of `model`, opened on first use (kept; a failed open is retried next time). With the
   * step's convolutions on ORT's blocked kernels, a copy of the model gets them too (the parameters are
   * inputs here, so ORT's own NCHWc transformer would not); `evalModel` itself stays standard ONNX.
   */
  private open(which: 'evalSession' | 'predictSession', model: () => ModelProto): Promise<Session> {
    const block = this.core.nchwcBlock;
    const graph = () => {
      if (!block) return model();
      const copy = cloneModel(model());
      blockConvs(copy, block);
      return copy;
    };
    const opened = (this[which] ??= createSession(graph(), this.core.sessionOptions).catch((e: unknown) => {
      this[which] = undefined;
      throw e;
    }));
    return opened;
  }

  /** Parameters (current or averaged) and carried running statistics as they are fed to the eval and predict graphs. */
  private feeds(weights: WeightChoice = 'current'): Record<string, OrtTensor> {
    const core = this.core;
    const params: Record<string, OrtTensor> = {};
    for (const p of core.trainStep.params) params[p] = core.state.tensor(weightName(core, p, weights));
    for (const r of core.trainStep.runningStats) params[r.input] = core.state.tensor(statisticName(core, r.input, weights));
    return params;
  }

  async evaluateBatch(batch: Readonly<Record<string, TensorValue>>, options: { weights?: WeightChoice } = {}): Promise<{ loss: number; logits: TensorValue }> {
    const session = await this.open('evalSession', () => this.evalModel);
    const out = await session.run({ ...this.feeds(options.weights), ...batch }, ['eval.loss', this.core.trainStep.logits]);
    return { loss: Number(out['eval.loss']!.data[0]), logits: await fromOrtTensorAsync(out[this.core.trainStep.logits]!) };
  }

  async predict(inputs: Readonly<Record<string, TensorValue>>, options: { weights?: WeightChoice } = {}): Promise<TensorValue> {
    const session = await this.open('predictSession', () => buildPredictModel(this.core.source, this.core.trainStep));
    const out = await session.run({ ...this.feeds(options.weights), ...inputs }, [this.core.trainStep.logits]);
    return fromOrtTensorAsync(out[this.core.trainStep.logits]!);
  }

  async evaluate(batches: Iterable<Record<string, TensorValue>>, options: { weights?: WeightChoice } = {}): Promise<EvalResult> {
    const classification = this.evalModel.graph.output.some((o) => o.name === 'eval.prediction');
    let lossSum = 0;
    let correct = 0;
    let count = 0;
    const params = this.feeds(options.weights);
    const session = await this.open('evalSession', () => this.evalModel);
    for (const batch of batches) {
      const out = await session.run({ ...params, ...batch }, ['eval.loss', ...(classification ? ['eval.prediction'] : [])]);
      const n = batch.labels!.dims[0] ?? 1;
      lossSum += Number(out['eval.loss']!.data[0]) * n;
      const pred = out['eval.prediction'];
      if (pred) {
        const labels = batch.labels!.data as BigInt64Array;
        const p = pred.data as BigInt64Array;
        for (let i = 0; i < n; i++) if (p[i] === labels[i]) correct++;
      }
      count += n;
    }
    return { loss: lossSum / Math.max(count, 1), accuracy: classification ? correct / Math.max(count, 1) : undefined, count };
  }

  async release(): Promise<void> {
    const opened = [this.predictSession, this.evalSession];
    this.predictSession = this.evalSession = undefined;
    for (const s of opened) if (s) await (await s.catch(() => undefined))?.release();
  }
}
