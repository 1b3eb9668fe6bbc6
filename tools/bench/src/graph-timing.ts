import * as ort from 'onnxruntime-node';
import { encodeModel, type GraphBuilder } from '@anneal/onnx';

/** A float32 tensor of uniform values in [-1, 1) from a small LCG (deterministic per seed). */
export function randomTensor(dims: number[], seed: number): ort.Tensor {
  let a = seed;
  const data = new Float32Array(dims.reduce((p, q) => p * q, 1));
  for (let i = 0; i < data.length; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    data[i] = (a / 4294967296) * 2 - 1;
  }
  return new ort.Tensor('float32', data, dims);
}

/**
 * Times a graph whose output is `dw` on ONNX Runtime CPU: `warmup` untimed runs, then `runs` timed
 * ones; returns the median (or the minimum, steadier on a busy machine) in ms and the output.
 */
export async function timeGraph(b: GraphBuilder, feeds: Record<string, ort.Tensor>, options: { threads: number; runs: number; warmup: number; pick: 'median' | 'min' }): Promise<{ ms: number; dw: Float32Array }> {
  const session = await ort.InferenceSession.create(encodeModel(b.build()), { intraOpNumThreads: options.threads, graphOptimizationLevel: 'all' });
  let dw: Float32Array = new Float32Array(0);
  for (let i = 0; i < options.warmup; i++) dw = (await session.run(feeds)).dw!.data as Float32Array;
  const times: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const t0 = performance.now();
    await session.run(feeds);
    times.push(performance.now() - t0);
  }
  await session.release();
  times.sort((p, q) => p - q);
  return { ms: options.pick === 'min' ? times[0]! : times[Math.floor(times.length / 2)]!, dw };
}
