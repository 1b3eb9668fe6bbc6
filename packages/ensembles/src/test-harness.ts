// Spec helpers (not exported from the package): run a model in plain ONNX Runtime, reference math in JS.
import { expect } from 'vitest';
import { encodeModel, type ModelProto, type TensorValue } from '@anneal/onnx';
import { createSession, fromOrtTensorAsync } from '@anneal/runtime';

/** Runs a model on one input `x` in onnxruntime-node ('cpu') or onnxruntime-web ('wasm'); returns every output as numbers. */
export async function runModel(model: ModelProto, x: TensorValue, device: 'cpu' | 'wasm' = 'cpu'): Promise<Record<string, number[]>> {
  const session = await createSession(encodeModel(model), { device });
  try {
    expect(session.device).toBe(device);
    const out = await session.run({ x });
    const entries = await Promise.all(Object.entries(out).map(async ([k, t]) => [k, Array.from((await fromOrtTensorAsync(t)).data as ArrayLike<number | bigint>, Number)] as const));
    return Object.fromEntries(entries);
  } finally {
    await session.release();
  }
}

/** Row-wise softmax of [N, C] logits, in float64. */
export function softmaxRows(logits: ArrayLike<number>, classes: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < logits.length / classes; r++) {
    const row = Array.from({ length: classes }, (_, j) => logits[r * classes + j]!);
    const max = Math.max(...row);
    const e = row.map((v) => Math.exp(v - max));
    const s = e.reduce((a, b) => a + b, 0);
    out.push(...e.map((v) => v / s));
  }
  return out;
}

/** First index of the maximum of each [C] row. */
export function argmaxRows(values: ArrayLike<number>, classes: number): number[] {
  return Array.from({ length: values.length / classes }, (_, r) => {
    let best = 0;
    for (let j = 1; j < classes; j++) if (values[r * classes + j]! > values[r * classes + best]!) best = j;
    return best;
  });
}
