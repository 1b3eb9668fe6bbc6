import { applyBatchNormMode } from '@anneal/autograd';
import { DataType, GraphBuilder, type ModelProto, type TensorValue } from '@anneal/onnx';
import { exportInferenceModel, toOrtTensor, type OrtTensor } from '@anneal/runtime';
import { batchNormStatistics } from './batch-norm-statistics.js';
import { opsetOf } from './eval-model.js';
import { EngineError } from './errors.js';
import { NOISE_SEED, type SessionCore } from './session-core.js';
import type { WeightChoice } from './train-session-types.js';
import { statisticName, weightName } from './weight-names.js';

/** Replaces the whole carried state (checked by name and shape before anything changes) and the step count. */
export function restoreState(core: SessionCore, values: Readonly<Record<string, TensorValue>>, steps: number): void {
  if (!Number.isInteger(steps) || steps < 0) throw new EngineError(`restoreState: the step count must be an integer >= 0, got ${steps}.`);
  const names = core.state.names();
  const missing = names.filter((n) => !Object.hasOwn(values, n));
  if (missing.length) throw new EngineError(`restoreState: the saved state lacks ${missing.length} tensor(s) of this session: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}; was it saved from another model or optimizer?`);
  const outputs: Record<string, OrtTensor> = {};
  const mapping: Record<string, string> = {};
  for (const n of names) {
    outputs[`restore.${n}`] = toOrtTensor(values[n]!, n);
    mapping[`restore.${n}`] = n;
  }
  core.state.update(outputs, mapping);
  core.stepCount = steps;
  // a run saved with its noise seed draws the same Dropout masks after the restore
  const seed = values[NOISE_SEED];
  if (seed) core.noiseSeed = Number(seed.data[0]);
}

/** Parameters, optimizer state, running statistics and (with noise-driven Dropout) the noise seed. */
export async function stateValues(core: SessionCore): Promise<Record<string, TensorValue>> {
  const values = await core.state.values();
  if (core.trainStep.noiseInputs.length) values[NOISE_SEED] = { dataType: DataType.INT64, dims: [], data: BigInt64Array.of(BigInt(core.noiseSeed)) };
  return values;
}

/** Current (or averaged) parameter values, copied out of ORT. */
export async function parameterValues(core: SessionCore, weights: WeightChoice = 'current'): Promise<Record<string, TensorValue>> {
  const out: Record<string, TensorValue> = {};
  for (const p of core.trainStep.params) out[p] = await core.state.get(weightName(core, p, weights));
  return out;
}

/** The carried BatchNormalization running statistics (or their averages). */
export async function runningStatisticValues(core: SessionCore, weights: WeightChoice = 'current'): Promise<Record<string, TensorValue>> {
  const out: Record<string, TensorValue> = {};
  for (const r of core.trainStep.runningStats) out[r.input] = await core.state.get(statisticName(core, r.input, weights));
  return out;
}

/** The forward graph with the trained parameters and statistics as initializers, BatchNormalization in inference mode. */
export async function exportInference(core: SessionCore, source: ModelProto, weights: WeightChoice = 'current'): Promise<ModelProto> {
  const model = structuredClone(source);
  applyBatchNormMode(new GraphBuilder({ graph: model.graph, opset: opsetOf(model) }), model.graph, 'frozen');
  return exportInferenceModel(model, { ...(await parameterValues(core, weights)), ...(await runningStatisticValues(core, weights)) });
}

/** Recomputes the carried BatchNormalization statistics over `batches` with the current (or averaged) weights. */
export async function refreshBatchNorm(core: SessionCore, batches: Iterable<Readonly<Record<string, TensorValue>>>, weights: WeightChoice = 'current'): Promise<Record<string, TensorValue>> {
  const stats = await batchNormStatistics(await exportInference(core, core.source, weights), batches, core.sessionOptions);
  const carried = new Set(core.trainStep.runningStats.map((r) => r.input));
  const missing = Object.keys(stats).filter((n) => !carried.has(n));
  if (missing.length) throw new EngineError(`refreshBatchNorm: the BatchNormalization statistics ${missing.slice(0, 3).join(', ')} are fixed in this session's graph; create the session with batchNorm: 'train' to recompute them`);
  const target = Object.fromEntries(Object.entries(stats).map(([n, v]) => [statisticName(core, n, weights), v]));
  restoreState(core, { ...(await stateValues(core)), ...target }, core.stepCount);
  return stats;
}
