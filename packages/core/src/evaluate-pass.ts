import type { Batch, TrainBackend } from './backend.js';
import type { PassMetrics } from './events.js';
import type { Metric } from './metrics.js';
import { RunningStats } from './running-stats.js';

/**
 * One evaluation pass: the example-weighted mean loss (with the spread of the batch losses as
 * variance/std) and every metric, over the batches, with the backend's current weights.
 */
export async function evaluatePass(backend: TrainBackend, batches: Iterable<Batch> | AsyncIterable<Batch>, metrics: Metric[]): Promise<PassMetrics> {
  const spread = new RunningStats();
  let weighted = 0;
  let count = 0;
  for await (const batch of batches) {
    const { loss, logits } = await backend.evaluate(batch);
    const n = batch.labels?.dims[0] ?? 1;
    spread.push(loss);
    weighted += loss * n;
    count += n;
    if (batch.labels) for (const m of metrics) m.update(logits, batch.labels);
  }
  const s = spread.summary();
  return { loss: { ...s, mean: count ? weighted / count : NaN }, metrics: Object.fromEntries(metrics.map((m) => [m.name, m.compute()])) };
}
