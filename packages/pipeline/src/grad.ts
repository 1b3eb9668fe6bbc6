import { compileTrainStep, listParameters } from '@anneal/autograd';
import { classCount, DataError, readNpy } from '@anneal/data';
import { DataType, describeValueInfo, tensorToValue, writeFileAtomic, type ModelProto, type TensorValue } from '@anneal/onnx';
import { createSession, saveCheckpoint, fromOrtTensor, ortExecutor } from '@anneal/runtime';
import { prepareModel, resolveLoss, type LossSpec } from '@anneal/engine';
import { ConfigError } from './errors.js';
import type { Pipeline } from './pipeline.js';
import { GRADIENT_REGISTRY } from './tokens.js';

/** Options of {@link grad}. */
export interface GradOptions {
  model: string;
  input: string;
  inputName?: string;
  labels: string;
  loss: LossSpec['kind'];
  labelSmoothing?: number;
  inputGrad?: boolean;
  out: string;
}

/** Converts labels to the element type the loss expects (int32 class ids become int64). */
function coerceLabels(v: TensorValue, want: DataType, file: string): TensorValue {
  if (v.dataType === want) return v;
  if (want === DataType.INT64 && v.dataType === DataType.INT32) return { ...v, dataType: want, data: BigInt64Array.from(v.data as Int32Array, (x) => BigInt(x)) };
  if (want === DataType.FLOAT && v.dataType === DataType.DOUBLE) return { ...v, dataType: want, data: Float32Array.from(v.data as Float64Array) };
  throw new ConfigError(`${file}: labels are ${DataType[v.dataType]} but the loss needs ${DataType[want]} (class ids as int64 for cross-entropy, float targets otherwise)`);
}

/**
 * Cross-entropy labels are class ids in [0, C) for the C classes of the model's logits (its first
 * output), when C is fixed; otherwise ids >= 0 with a class count bounded by the data. ONNX
 * Runtime's GatherElements takes -1 as the last class, so nothing else would catch it.
 */
function checkClassLabels(labels: TensorValue, model: ModelProto, file: string): void {
  const ids = Array.from(labels.data as ArrayLike<number | bigint>, Number);
  const bad = ids.findIndex((v) => !Number.isInteger(v) || v < 0);
  if (bad >= 0) throw new DataError(file, `label ${ids[bad]} at index ${bad} is not a class id; class ids are integers >= 0 (-1 is not 'the last class'): relabel the classes to 0..C-1`);
  const logits = model.graph.output[0];
  const classes = logits ? describeValueInfo(logits).dims?.at(-1) : undefined;
  if (typeof classes !== 'number' || classes < 1) return void classCount(ids, file, (i) => `index ${i}`);
  const over = ids.findIndex((v) => v >= classes);
  if (over >= 0) throw new DataError(file, `label ${ids[over]} at index ${over} is out of range [0, ${classes}): the model's logits '${logits!.name}' have ${classes} classes; fix the labels or the model`);
}

/**
 * `anneal grad`: mean loss over the batch and its gradients w.r.t. every trainable float
 * initializer (and the input with --input-grad), written as JSON or safetensors.
 */
export async function grad(pipeline: Pipeline, o: GradOptions): Promise<{ loss: number; count: number }> {
  if (!/\.(json|safetensors)$/.test(o.out)) throw new ConfigError(`--out ${o.out}: use a .json or .safetensors file name`);
  const { model } = prepareModel(o.model);
  const dataInputs = model.graph.input.map((i) => i.name).filter((n) => !model.graph.initializer.some((t) => t.name === n));
  if (dataInputs.length === 0) throw new ConfigError(`${o.model}: the model has no data inputs (every graph input is an initializer, or it declares none); anneal grad feeds --input to one`);
  const inputName = o.inputName ?? dataInputs[0];
  if (!inputName || !dataInputs.includes(inputName)) throw new ConfigError(`--input-name ${o.inputName}: the model's inputs are [${dataInputs.join(', ')}]`);
  if (dataInputs.length > 1) throw new ConfigError(`the model has several inputs [${dataInputs.join(', ')}]; anneal grad feeds one (--input-name) — cut or wrap the model first`);
  if (o.labelSmoothing !== undefined && o.loss !== 'cross-entropy' && o.loss !== 'soft-target-cross-entropy') throw new ConfigError(`--label-smoothing applies to the cross-entropy losses, not to '${o.loss}'`);
  const spec = { kind: o.loss, ...(o.labelSmoothing !== undefined ? { labelSmoothing: o.labelSmoothing } : {}) } as LossSpec;
  const x = readNpy(o.input);
  const lossFn = resolveLoss(spec);
  const labels = coerceLabels(readNpy(o.labels), lossFn.labels, o.labels);
  if (labels.dims[0] !== x.dims[0]) throw new ConfigError(`${o.labels} has ${labels.dims[0]} rows but ${o.input} has ${x.dims[0]}; they must match`);
  if (spec.kind === 'cross-entropy') checkClassLabels(labels, model, o.labels);
  const trainable = listParameters(model);
  const wantInputGrad = o.inputGrad === true;
  if (wantInputGrad && x.dataType !== DataType.FLOAT) throw new ConfigError(`--input-grad needs a float input; ${o.input} is ${DataType[x.dataType]}`);
  const step = await compileTrainStep({
    model,
    executor: ortExecutor({ device: 'cpu' }),
    sample: { [inputName]: x, labels },
    registry: pipeline.container.resolve(GRADIENT_REGISTRY),
    trainable,
    labels: { name: 'labels', dataType: labels.dataType, dims: labels.dims.map((d, i) => (i === 0 ? 'N' : d)) },
    loss: lossFn.emit,
    inputGradients: wantInputGrad ? [inputName] : [],
  });
  const session = await createSession(step.model, { device: 'cpu' });
  const feeds: Record<string, TensorValue> = { [inputName]: x, labels };
  for (const p of step.params) feeds[p] = tensorToValue(step.initialParams[p]!);
  for (const r of step.runningStats) feeds[r.input] = tensorToValue(r.initial);
  const fetch = [step.loss, ...Object.values(step.gradients)];
  const out = await session.run(feeds, fetch);
  const loss = Number(out[step.loss]!.data[0]);
  const gradients: Record<string, TensorValue> = {};
  for (const p of step.params) gradients[p] = fromOrtTensor(out[step.gradients[p]!]!, p);
  const inputGradient = wantInputGrad ? fromOrtTensor(out[step.gradients[inputName]!]!, inputName) : undefined;
  await session.release();
  if (o.out.endsWith('.safetensors')) {
    saveCheckpoint(o.out, { ...gradients, ...(inputGradient ? { [`input:${inputName}`]: inputGradient } : {}) }, { loss: String(loss), input: inputName });
  } else {
    const json = {
      loss,
      gradients: Object.fromEntries(Object.entries(gradients).map(([k, v]) => [k, { shape: v.dims, data: Array.from(v.data as Float32Array) }])),
      inputGradient: inputGradient ? { shape: inputGradient.dims, data: Array.from(inputGradient.data as Float32Array) } : null,
    };
    writeFileAtomic(o.out, JSON.stringify(json));
  }
  return { loss, count: trainable.length };
}
