// Spec helper (not exported): build a one-op-family graph with a scalar loss and gradient-check it.
import { DataType, GraphBuilder, tensors, type TensorValue } from '@anneal/onnx';
import { checkGradients, type GradCheckResult } from './gradcheck';
import { defaultGradientRegistry } from './default-registry';
import { nodeExecutor } from './test-support';

const executor = nodeExecutor();

/** A deterministic pseudo-random float array in [lo, hi). */
export function values(n: number, seed: number, lo = -1, hi = 1): number[] {
  let a = seed >>> 0;
  return Array.from({ length: n }, () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return lo + ((a >>> 8) / 16777216) * (hi - lo);
  });
}

export interface OpCase {
  /** Float tensors: params are initializers differentiated; inputs are fed and also differentiated. */
  params?: Record<string, { dims: number[]; data?: number[] }>;
  inputs?: Record<string, TensorValue>;
  /** Builds the forward graph from the param/input names; returns the tensor whose weighted sum is the loss. */
  build(b: GraphBuilder): string;
  wrt?: string[];
  opset?: number;
  precision?: 'double' | 'float';
  samplesPerTensor?: number;
  seed?: number;
}

/**
 * loss = ReduceSum(out · R) with a fixed random R of out's shape (so every output element gets a
 * distinct weight), then checks d loss / d (params and float inputs) against finite differences.
 */
export async function gradCheckCase(c: OpCase): Promise<GradCheckResult> {
  const b = new GraphBuilder({ opset: c.opset ?? 17 });
  let seed = c.seed ?? 11;
  for (const [name, v] of Object.entries(c.inputs ?? {})) b.input(name, v.dataType, v.dims);
  for (const [name, p] of Object.entries(c.params ?? {})) {
    const n = p.dims.reduce((x, y) => x * y, 1);
    b.initializer(tensors.float(name, p.dims, p.data ?? values(n, seed++)));
  }
  const out = c.build(b);
  // deterministic weights sin(0.7·k) over the flattened output (random ops are not reproducible in ORT)
  const shape = b.op('Shape', [out]);
  const size = b.op('ReduceProd', [shape], { keepdims: 0 });
  const ramp = b.op('Cast', [b.op('Range', [b.scalar(0, DataType.INT64), size, b.scalar(1, DataType.INT64)])], { to: DataType.FLOAT });
  const w = b.op('Sin', [b.op('Mul', [ramp, b.scalar(0.7)])]);
  const wShaped = b.op('Reshape', [w, shape]);
  const loss = b.op('ReduceSum', [b.op('Mul', [out, wShaped])], { keepdims: 0 }, { output: 'loss' });
  b.output(loss, DataType.FLOAT, []);
  const floatInputs = Object.entries(c.inputs ?? {}).filter(([, v]) => v.dataType === DataType.FLOAT).map(([k]) => k);
  return checkGradients({
    model: b.build(),
    loss,
    wrt: c.wrt ?? [...Object.keys(c.params ?? {}), ...floatInputs],
    feeds: c.inputs ?? {},
    executor,
    registry: defaultGradientRegistry(),
    precision: c.precision,
    samplesPerTensor: c.samplesPerTensor ?? 30,
  });
}
