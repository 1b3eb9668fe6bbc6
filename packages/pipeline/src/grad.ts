import { compileTrainStep, listParameters } from '@anneal/autograd';
import { readNpy } from '@anneal/data';
import { DataType, tensorToValue, writeFileAtomic, type TensorValue } from '@anneal/onnx';
import { createSession, saveCheckpoint, fromOrtTensor, ortExecutor } from '@anneal/runtime';
import { labelType, lossEmitter, prepareModel, type LossSpec } from '@anneal/engine';
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
 * `anneal grad`: mean loss over the batch and its gradients w.r.t. every trainable float
 * initializer (and the input with --input-grad), written as JSON or safetensors.
 */
export async function grad(pipeline: Pipeline, o: GradOptions): Promise<{ loss: number; count: number }> {
  if (!/\.(json|safetensors)$/.test(o.out)) throw new ConfigError(`--out ${o.out}: use a .json or .safetensors file name`);
  const { model } = prepareModel(o.model);
  const dataInputs = model.graph.input.map((i) => i.name).filter((n) => !model.graph.initializer.some((t) => t.name === n));
  const inputName = o.inputName ?? dataInputs[0];
  if (!inputName || !dataInputs.includes(inputName)) throw new ConfigError(`--input-name ${o.inputName}: the model's inputs are [${dataInputs.join(', ')}]`);
  if (dataInputs.length > 1) throw new ConfigError(`the model has several inputs [${dataInputs.join(', ')}]; anneal grad feeds one (--input-name) — cut or wrap the model first`);
  const spec: LossSpec = o.loss === 'cross-entropy' ? { kind: 'cross-entropy', labelSmoothing: o.labelSmoothing } : o.loss === 'mse' ? { kind: 'mse' } : { kind: 'bce-with-logits' };
  const x = readNpy(o.input);
  const labels = coerceLabels(readNpy(o.labels), labelType(spec), o.labels);
  if (labels.dims[0] !== x.dims[0]) throw new ConfigError(`${o.labels} has ${labels.dims[0]} rows but ${o.input} has ${x.dims[0]}; they must match`);
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
    loss: lossEmitter(spec),
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
