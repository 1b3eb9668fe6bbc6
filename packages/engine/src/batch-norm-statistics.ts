import { attr, DataType, makeAttribute, tensorValueInfo, type ModelProto, type TensorValue } from '@anneal/onnx';
import { createSession, type SessionOptions } from '@anneal/runtime';
import { EngineError } from './errors.js';

/**
 * BatchNormalization statistics recomputed over data, for a model whose weights changed after
 * training (an SWA average, say): every BN node is run in training mode with momentum 0, so each
 * batch yields its own per-channel mean and (population) variance; the results are the mean over
 * batches of the batch means and of the unbiased batch variances (torch `update_bn`: a cumulative
 * average over batches). Returned by the names of the BN nodes' running mean / variance inputs.
 *
 * @example
 * const stats = await batchNormStatistics(model, loader.epochBatches(0)); // { 'bn0.running_mean': ..., ... }
 */
export async function batchNormStatistics(model: ModelProto, batches: Iterable<Readonly<Record<string, TensorValue>>>, options: SessionOptions = {}): Promise<Record<string, TensorValue>> {
  const m = structuredClone(model);
  const g = m.graph;
  const inputs = new Set(g.input.map((i) => i.name));
  const nodes = g.node.filter((n) => n.opType === 'BatchNormalization');
  if (!nodes.length) return {};
  const fetch: { mean: string; variance: string; y: string; meanName: string; varName: string; channels: number }[] = [];
  nodes.forEach((node, k) => {
    node.attribute = node.attribute.filter((a) => a.name !== 'training_mode' && a.name !== 'momentum');
    node.attribute.push(makeAttribute('training_mode', attr.int(1)), makeAttribute('momentum', attr.float(0)));
    const mean = `bn_stats.${k}.mean`;
    const variance = `bn_stats.${k}.var`;
    node.output = [node.output[0]!, mean, variance];
    const init = g.initializer.find((t) => t.name === node.input[3]);
    const channels = init?.dims[0] ?? 0;
    for (const name of [mean, variance]) g.output.push(tensorValueInfo(name, DataType.FLOAT, [channels]));
    if (!g.output.some((o) => o.name === node.output[0])) g.output.push(tensorValueInfo(node.output[0]!, DataType.FLOAT));
    fetch.push({ mean, variance, y: node.output[0]!, meanName: node.input[3]!, varName: node.input[4]!, channels });
  });
  const session = await createSession(m, options);
  const sums = fetch.map((f) => ({ mean: new Float64Array(f.channels), variance: new Float64Array(f.channels) }));
  let count = 0;
  try {
    for (const batch of batches) {
      const feeds = Object.fromEntries(Object.entries(batch).filter(([k]) => inputs.has(k)));
      const out = await session.run(feeds, fetch.flatMap((f) => [f.mean, f.variance, f.y]));
      fetch.forEach((f, k) => {
        const y = out[f.y]!;
        const perChannel = y.dims.reduce((a, d, i) => (i === 1 ? a : a * Number(d)), 1); // N x spatial
        const correction = perChannel > 1 ? perChannel / (perChannel - 1) : 1;
        const mean = out[f.mean]!.data as Float32Array;
        const variance = out[f.variance]!.data as Float32Array;
        for (let c = 0; c < f.channels; c++) {
          sums[k]!.mean[c]! += mean[c]!;
          sums[k]!.variance[c]! += variance[c]! * correction;
        }
      });
      count++;
    }
  } finally {
    await session.release();
  }
  if (!count) throw new EngineError('batchNormStatistics: no batches; pass the training data to recompute BatchNormalization statistics over');
  const result: Record<string, TensorValue> = {};
  fetch.forEach((f, k) => {
    result[f.meanName] = { dataType: DataType.FLOAT, dims: [f.channels], data: Float32Array.from(sums[k]!.mean, (v) => v / count) };
    result[f.varName] = { dataType: DataType.FLOAT, dims: [f.channels], data: Float32Array.from(sums[k]!.variance, (v) => v / count) };
  });
  return result;
}
