import { DataType, GraphBuilder, type ModelProto, type TensorValue } from '@anneal/onnx';
import { OptimConfigError } from './errors.js';
import { optimNames } from './naming.js';
import { emitOptimizerUpdate, type OptimizerUpdate, type OptimizerUpdateConfig } from './optimizer-update.js';

/** A parameter of a standalone optimizer step: its name and static shape. */
export interface StepParam {
  readonly name: string;
  readonly dims: readonly number[];
}

/** Config of {@link buildOptimizerStep}: the update config with gradients named `grad.<param>`. */
export interface OptimizerStepConfig extends Omit<OptimizerUpdateConfig, 'params'> {
  readonly params: readonly StepParam[];
  /** Default-domain opset (default 17). */
  readonly opset?: number;
}

/** A standalone optimizer-step model and the description of its inputs and outputs. */
export interface OptimizerStep {
  readonly model: ModelProto;
  readonly update: OptimizerUpdate;
  /** Gradient input names by parameter (`grad.<param>`). */
  readonly grads: Readonly<Record<string, string>>;
}

/**
 * Builds a graph that only applies the optimizer: inputs are the parameters, their gradients
 * (`grad.<param>`), the optimizer state and the hyperparameters; outputs are the new parameters,
 * the new state and the stats. For tests and for users who compute gradients elsewhere.
 *
 * @example
 * const { model, update } = buildOptimizerStep({ optimizer: adam(), lr: 1e-3, params: [{ name: 'w', dims: [3, 4] }] });
 * const session = await ort.InferenceSession.create(encodeModel(model));
 */
export function buildOptimizerStep(config: OptimizerStepConfig): OptimizerStep {
  const b = new GraphBuilder({ opset: config.opset ?? 17, name: `optimizer_step_${config.optimizer.id}` });
  const grads: Record<string, string> = {};
  config.params.forEach((p, i) => {
    if (b.has(p.name)) throw new OptimConfigError(`params[${i}]`, `parameter '${p.name}' is listed twice`);
    b.input(p.name, DataType.FLOAT, p.dims);
    grads[p.name] = b.input(optimNames.grad(p.name), DataType.FLOAT, p.dims);
  });
  // the values the weight average follows besides the parameters come in as inputs
  if (config.ema) for (const t of config.averageAlso ?? []) b.input(t.next, DataType.FLOAT, t.dims);
  const update = emitOptimizerUpdate(b, { ...config, params: config.params.map((p) => ({ name: p.name, grad: grads[p.name]!, dims: p.dims })) });
  return { model: b.build(), update, grads };
}

/**
 * Zero tensors for every state input of an update (the initial optimizer state).
 * Requires static parameter shapes.
 *
 * @example
 * const state = zeroState(update); // { 'state.exp_avg.w': { dataType: FLOAT, dims: [3, 4], data: Float32Array(12) }, ... }
 */
export function zeroState(update: OptimizerUpdate): Record<string, TensorValue> {
  const out: Record<string, TensorValue> = {};
  for (const st of update.state) {
    const dims = st.dims;
    if (!dims || dims.some((d) => typeof d !== 'number')) {
      throw new OptimConfigError(`params['${st.param}'].dims`, 'zeroState needs static dims; pass numeric dims for the parameter');
    }
    const n = (dims as number[]).reduce((a, c) => a * c, 1);
    out[st.input] = { dataType: DataType.FLOAT, dims: [...(dims as number[])], data: new Float32Array(n) };
  }
  return out;
}
