import { DataType, type TensorValue } from '@anneal/onnx';
import type { Feeds } from '@anneal/runtime';
import type { TrainStep } from '@anneal/autograd';
import { noiseFeeds } from './dropout-masks.js';
import type { HyperparameterRequest } from './hyperparameter-tensors.js';
import type { SessionCore } from './session-core.js';

/** State tensors, this step's hyperparameters (written for update number steps + 1) and the data, in one fresh object. */
export function stepFeeds(core: SessionCore, data: Readonly<Record<string, TensorValue>>, hp: HyperparameterRequest): Feeds {
  core.hp.write(core.stepCount + 1, hp);
  const feeds: Feeds = {};
  core.state.addFeeds(feeds);
  const hpTensors = core.hp.tensors;
  for (const name in hpTensors) feeds[name] = hpTensors[name]!;
  for (const name in data) if (Object.hasOwn(data, name)) feeds[name] = data[name]!;
  return feeds;
}

/**
 * `data` plus the Dropout noise of the next update (of the next `k` updates, stacked, for a Loop
 * group): a pure function of the seed and the update number, so resumed, looped and split runs
 * draw the masks of the uninterrupted single-step run.
 */
export function withNoise(core: SessionCore, data: Readonly<Record<string, TensorValue>>, k?: number): Readonly<Record<string, TensorValue>> {
  const inputs = core.trainStep.noiseInputs;
  if (!inputs.length) return data;
  const labels = data[core.trainStep.labels]!.dims;
  return { ...data, ...noiseFeeds(inputs, core.noiseSeed, core.stepCount + 1, Number(k === undefined ? labels[0] : labels[1]), k === undefined ? undefined : { k }) };
}

/** Feeds to time a graph with: carried state, default hyperparameters and a (possibly stacked) batch. */
export function tuningFeeds(step: TrainStep, state: Record<string, TensorValue>, batch: Readonly<Record<string, TensorValue>>, stacked: boolean): Feeds {
  const dims = batch[step.labels]!.dims;
  const noise = noiseFeeds(step.noiseInputs, 0, 1, Number(stacked ? dims[1] : dims[0]), stacked ? { k: Number(dims[0]) } : undefined);
  const feeds: Feeds = { ...state, ...batch, ...noise };
  for (const [name, value] of Object.entries(step.hyperparameters)) feeds[name] = { dataType: DataType.FLOAT, dims: [], data: Float32Array.of(value) };
  return feeds;
}
