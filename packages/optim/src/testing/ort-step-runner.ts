/**
 * Test support (not exported from the package): runs a standalone optimizer step in
 * onnxruntime-node for K steps, feeding new parameters and state back as inputs.
 */
import * as ort from 'onnxruntime-node';
import { encodeModel } from '@anneal/onnx';
import { hyperparameterFeeds, type HyperparameterStep } from '../hyperparameters.js';
import { buildOptimizerStep, zeroState, type OptimizerStep, type OptimizerStepConfig } from '../optimizer-step.js';

export type Arrays = Record<string, Float32Array>;

/** Outputs of one step (all graph outputs as float arrays). */
export type StepOutputs = Record<string, Float32Array>;

/** Runs the step graph over a gradient sequence; returns every step's outputs. */
export async function runTrajectory(
  config: OptimizerStepConfig,
  init: Readonly<Record<string, ArrayLike<number>>>,
  grads: readonly Readonly<Record<string, ArrayLike<number>>>[],
  hp: (step: number) => Omit<HyperparameterStep, 'step'> = () => ({}),
): Promise<{ step: OptimizerStep; outputs: StepOutputs[] }> {
  const step = buildOptimizerStep(config);
  const session = await ort.InferenceSession.create(encodeModel(step.model));
  const dims = new Map(config.params.map((p) => [p.name, [...p.dims]] as const));
  const params: Arrays = Object.fromEntries(config.params.map((p) => [p.name, Float32Array.from(init[p.name]!)]));
  const state: Arrays = Object.fromEntries(Object.entries(zeroState(step.update)).map(([k, v]) => [k, v.data as Float32Array]));
  const stateDims = new Map(step.update.state.map((s) => [s.input, [...(s.dims as number[])]] as const));
  const outputs: StepOutputs[] = [];
  for (let k = 0; k < grads.length; k++) {
    const feeds: Record<string, ort.Tensor> = {};
    for (const p of config.params) {
      feeds[p.name] = new ort.Tensor('float32', params[p.name]!, dims.get(p.name)!);
      feeds[step.grads[p.name]!] = new ort.Tensor('float32', Float32Array.from(grads[k]![p.name]!), dims.get(p.name)!);
    }
    for (const [name, data] of Object.entries(state)) feeds[name] = new ort.Tensor('float32', data, stateDims.get(name)!);
    for (const [name, v] of Object.entries(hyperparameterFeeds(config, { step: k + 1, ...hp(k + 1) }))) {
      feeds[name] = new ort.Tensor('float32', Float32Array.of(v), []);
    }
    const result = await session.run(feeds);
    const out: StepOutputs = {};
    for (const [name, t] of Object.entries(result)) out[name] = t.data as Float32Array;
    outputs.push(out);
    for (const p of step.update.params) params[p.input] = out[p.output]!;
    for (const s of step.update.state) state[s.input] = out[s.output]!;
  }
  await session.release();
  return { step, outputs };
}

/** Worst elementwise relative error `|a - e| / max(|e|, floor)`. */
export function worstRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 1e-3): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    worst = Math.max(worst, Math.abs(actual[i]! - e) / Math.max(Math.abs(e), floor));
  }
  return worst;
}

/** L2 norm of an array (float64 accumulation). */
export function l2(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s);
}
