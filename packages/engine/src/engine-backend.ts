import type { Batch, CheckpointIO, StepHyperparameters, TrainBackend, TrainResult } from '@anneal/core';
import { saveModel, type TensorValue } from '@anneal/onnx';
import { optimNames } from '@anneal/optim';
import { loadCheckpoint, removeCheckpoint, saveCheckpoint } from '@anneal/runtime';
import type { TrainSession, WeightChoice } from './train-session.js';

/**
 * The Trainer's backend over a compiled {@link TrainSession}: groups run as one ONNX `Loop`
 * (`stepMany`), per-step hyperparameters included; the last step of a call runs alone with the
 * norm outputs when `stats` is asked for. With `evaluateWith: 'average'` the Trainer's validation,
 * predictions, best-weights capture and export use the step graph's weight average (`optimizer.ema`).
 *
 * @example
 * const trainer = new Trainer({ backend: engineBackend(session), train, val, epochs: 10 });
 */
export function engineBackend(session: TrainSession, options: { evaluateWith?: WeightChoice } = {}): TrainBackend {
  const weights = options.evaluateWith ?? 'current';
  return {
    get steps() {
      return session.steps;
    },
    hyperparameters: session.hyperparameterInputs,
    async train(batches: readonly Batch[], hp: readonly StepHyperparameters[], options = {}): Promise<TrainResult> {
      const body = options.stats ? batches.length - 1 : batches.length;
      const result: TrainResult = { losses: [], logits: options.logits ? [] : undefined };
      if (body > 0) {
        const r = await session.stepMany(batches.slice(0, body), hp.slice(0, body), { logits: options.logits });
        result.losses.push(...r.losses);
        if (r.logits) result.logits!.push(...r.logits);
      }
      if (options.stats) {
        let r;
        try {
          r = await session.step(batches[body]!, { ...hp[body]!, stats: true, logits: options.logits });
        } catch (e) {
          if (e && typeof e === 'object' && 'completed' in e) (e as { completed: number[] }).completed = [...result.losses];
          throw e;
        }
        result.losses.push(r.loss);
        if (r.logits) result.logits!.push(r.logits);
        result.stats = r.stats;
      }
      return result;
    },
    evaluate: (batch) => session.evaluateBatch(batch, { weights }),
    predict: (inputs) => session.predict(inputs, { weights }),
    state: () => session.stateValues(),
    async weights() {
      return { ...(await session.parameters({ weights })), ...(await session.runningStatistics({ weights })) };
    },
    restore: (state, steps) => session.restoreState(state, steps),
    async loadWeights(values) {
      const state = await session.stateValues();
      // with the average in use, weights captured from it go back into it (the parameters keep training)
      const target = (name: string) => (weights === 'average' && Object.hasOwn(state, optimNames.state('ema', name)) ? optimNames.state('ema', name) : name);
      const renamed = Object.fromEntries(Object.entries(values).map(([k, v]) => [target(k), v]));
      await session.restoreState({ ...state, ...renamed }, session.steps);
    },
    async exportModel(path) {
      saveModel(path, await session.exportInference(session.source, { weights }));
    },
  };
}

/** Checkpoint files as safetensors (written atomically by @anneal/runtime). */
export const safetensorsCheckpoints: CheckpointIO = {
  async write(path: string, tensors: Record<string, TensorValue>, metadata: Record<string, string>) {
    saveCheckpoint(path, tensors, metadata);
  },
  async read(path: string) {
    const { tensors, metadata } = loadCheckpoint(path);
    return { tensors, metadata };
  },
  async remove(path: string) {
    removeCheckpoint(path);
  },
};
