import { DataType, tensorToValue, tensorValueInfo, type Executor, type ModelProto, type TensorValue } from '@anneal/onnx';
import { buildBackward } from './backward.js';
import { probeShapes } from './probe-shapes.js';
import type { GradientRegistry } from './registry.js';
import { seededIndices } from './sampling.js';
import { modelToDouble, valueToDouble } from './to-double.js';

/** Options of {@link checkGradients}. */
export interface GradCheckOptions {
  model: ModelProto;
  /** Scalar loss tensor. */
  loss: string;
  /** Initializers and/or inputs to check. */
  wrt: readonly string[];
  /** Values of every graph input. */
  feeds: Record<string, TensorValue>;
  executor: Executor;
  registry: GradientRegistry;
  /** 'double' converts the model to float64 (falling back to float when ORT lacks a kernel); default 'double'. */
  precision?: 'double' | 'float';
  /** Coordinates checked per tensor (a seeded sample when the tensor is larger). Default 24. */
  samplesPerTensor?: number;
  /** Central-difference step; default 1e-6 in double, 1e-3 in float. */
  eps?: number;
  seed?: number;
}

export interface TensorCheck {
  name: string;
  checked: number;
  maxAbsError: number;
  /** max |analytic − numeric| / max(|analytic|, |numeric|, floor) over checked coordinates. */
  maxRelError: number;
}

export interface GradCheckResult {
  precision: 'double' | 'float';
  loss: number;
  tensors: TensorCheck[];
  maxRelError: number;
  /** Analytic gradients (full tensors) by wrt name. */
  gradients: Record<string, TensorValue>;
}

/**
 * Compares the analytic gradients Anneal's backward pass produces with central finite differences
 * of the forward loss, running both in ONNX Runtime.
 *
 * @example
 * const r = await checkGradients({ model, loss: 'loss', wrt: ['w'], feeds: { x }, executor, registry });
 * expect(r.maxRelError).toBeLessThan(1e-6);
 */
export async function checkGradients(options: GradCheckOptions): Promise<GradCheckResult> {
  if ((options.precision ?? 'double') === 'double') {
    try {
      return await runCheck(options, true);
    } catch (e) {
      // ORT reports a missing float64 kernel in several wordings; fall back to float32 for those only
      if (!/NOT_IMPLEMENTED|not\s+implemented|Could not find an implementation|type.*double|tensor\(double\)/i.test(String((e as Error).message))) throw e;
    }
  }
  return runCheck(options, false);
}

async function runCheck(options: GradCheckOptions, double: boolean): Promise<GradCheckResult> {
  const base = double ? modelToDouble(options.model) : structuredClone(options.model);
  // wrt initializers become inputs so perturbations are just feeds
  const feeds: Record<string, TensorValue> = {};
  for (const [k, v] of Object.entries(options.feeds)) feeds[k] = double ? valueToDouble(v) : v;
  for (const name of options.wrt) {
    const idx = base.graph.initializer.findIndex((t) => t.name === name);
    if (idx >= 0) {
      const t = base.graph.initializer[idx]!;
      feeds[name] = tensorToValue(t);
      base.graph.input.push(tensorValueInfo(name, t.dataType, t.dims));
      base.graph.initializer.splice(idx, 1);
    }
  }
  const executor = options.executor;
  const shapes = await probeShapes(base, feeds, executor);
  const bw = buildBackward(base, { loss: options.loss, wrt: options.wrt, shapes, registry: options.registry });
  const gradModel = bw.model;
  gradModel.graph.output = [tensorValueInfo(options.loss, double ? DataType.DOUBLE : DataType.FLOAT)];
  for (const w of options.wrt) gradModel.graph.output.push(tensorValueInfo(bw.gradients[w]!, double ? DataType.DOUBLE : DataType.FLOAT));
  const analytic = await executor.run(gradModel, feeds);
  const lossModel = structuredClone(base);
  lossModel.graph.output = [tensorValueInfo(options.loss, double ? DataType.DOUBLE : DataType.FLOAT)];
  const lossAt = async (f: Record<string, TensorValue>) => Number((await executor.run(lossModel, f, [options.loss]))[options.loss]!.data[0]);

  const eps = options.eps ?? (double ? 1e-6 : 1e-3);
  const floor = double ? 1e-7 : 1e-3;
  const tensors: TensorCheck[] = [];
  const gradients: Record<string, TensorValue> = {};
  for (const [k, w] of options.wrt.entries()) {
    const g = analytic[bw.gradients[w]!]!;
    gradients[w] = g;
    const value = feeds[w]!;
    const n = value.data.length;
    const idx = seededIndices(n, options.samplesPerTensor ?? 24, (options.seed ?? 1) + k);
    let maxAbs = 0;
    let maxRel = 0;
    for (const i of idx) {
      const data = value.data as Float64Array | Float32Array;
      const original = data[i]!;
      const h = eps * Math.max(1, Math.abs(original));
      const plus = data.slice() as typeof data;
      plus[i] = original + h;
      const minus = data.slice() as typeof data;
      minus[i] = original - h;
      const fp = await lossAt({ ...feeds, [w]: { ...value, data: plus } });
      const fm = await lossAt({ ...feeds, [w]: { ...value, data: minus } });
      const numeric = (fp - fm) / (Number(plus[i]) - Number(minus[i]));
      const a = Number((g.data as Float64Array)[i]);
      const abs = Math.abs(a - numeric);
      maxAbs = Math.max(maxAbs, abs);
      maxRel = Math.max(maxRel, abs / Math.max(Math.abs(a), Math.abs(numeric), floor));
    }
    tensors.push({ name: w, checked: idx.length, maxAbsError: maxAbs, maxRelError: maxRel });
  }
  return {
    precision: double ? 'double' : 'float',
    loss: Number(analytic[options.loss]!.data[0]),
    tensors,
    maxRelError: Math.max(0, ...tensors.map((t) => t.maxRelError)),
    gradients,
  };
}
