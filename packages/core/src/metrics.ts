import type { TensorValue } from '@anneal/onnx';
import { TrainerError } from './errors.js';

/**
 * A metric accumulated over the batches of a pass from the logits and labels. `state`/`restore`
 * carry the accumulators through a mid-epoch checkpoint.
 *
 * @example
 * const m = accuracy(); m.update(logits, labels); m.compute(); // 0.97
 */
export interface Metric {
  readonly name: string;
  update(logits: TensorValue, labels: TensorValue): void;
  compute(): number;
  reset(): void;
  state(): number[];
  restore(state: readonly number[]): void;
}

/** Rows and classes of [N, C] logits, checking they match the labels. */
export function logitRows(logits: TensorValue, labels: TensorValue, metric: string): { n: number; c: number } {
  if (logits.dims.length !== 2) throw new TrainerError(`metric '${metric}'`, `expects logits of shape [N, C], got [${logits.dims.join(', ')}]`);
  const [n, c] = logits.dims as [number, number];
  if ((labels.dims[0] ?? 0) !== n) throw new TrainerError(`metric '${metric}'`, `logits have ${n} rows but labels have ${labels.dims[0]}`);
  return { n, c };
}

/** Counts examples whose label is among the `k` largest logits (ties broken toward lower class ids). */
class TopK implements Metric {
  private correct = 0;
  private total = 0;
  constructor(
    readonly name: string,
    private readonly k: number,
  ) {
    if (!Number.isInteger(k) || k < 1) throw new TrainerError(`metric '${name}'`, `k must be a positive integer, got ${k}`);
  }

  update(logits: TensorValue, labels: TensorValue): void {
    const { n, c } = logitRows(logits, labels, this.name);
    const x = logits.data as Float32Array;
    const y = labels.data;
    for (let i = 0; i < n; i++) {
      const label = Number(y[i]);
      const v = x[i * c + label]!;
      let above = 0;
      for (let j = 0; j < c; j++) {
        const w = x[i * c + j]!;
        if (w > v || (w === v && j < label)) above++;
      }
      if (above < this.k) this.correct++;
    }
    this.total += n;
  }

  compute(): number {
    return this.total ? this.correct / this.total : NaN;
  }
  reset(): void {
    this.correct = this.total = 0;
  }
  state(): number[] {
    return [this.correct, this.total];
  }
  restore(s: readonly number[]): void {
    [this.correct = 0, this.total = 0] = s;
  }
}

/** Fraction of examples whose argmax logit is the label. */
export function accuracy(): Metric {
  return new TopK('accuracy', 1);
}

/** Fraction of examples whose label is among the k largest logits (named `top<k>`). */
export function topK(k: number): Metric {
  return new TopK(`top${k}`, k);
}

/**
 * A user metric from a per-batch function returning a sum and a count (the metric is
 * Σsum / Σcount over the pass).
 *
 * @example
 * const meanMargin = batchMetric('margin', (logits, labels) => ({ sum: marginSum(logits, labels), count: labels.dims[0]! }));
 */
export function batchMetric(name: string, fn: (logits: TensorValue, labels: TensorValue) => { sum: number; count: number }): Metric {
  let sum = 0;
  let count = 0;
  return {
    name,
    update(logits, labels) {
      const r = fn(logits, labels);
      sum += r.sum;
      count += r.count;
    },
    compute: () => (count ? sum / count : NaN),
    reset: () => void (sum = count = 0),
    state: () => [sum, count],
    restore: (s) => void ([sum = 0, count = 0] = s),
  };
}
