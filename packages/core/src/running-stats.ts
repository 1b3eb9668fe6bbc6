import type { LossSummary } from './events.js';

/**
 * Running mean and variance (Welford's algorithm) with min and max; its state is plain JSON so
 * a checkpoint taken mid-epoch resumes it exactly. Variance is the population variance of the
 * values seen (divide by n), the spread of the batch losses around their mean.
 *
 * @example
 * const s = new RunningStats(); for (const l of losses) s.push(l); s.summary().std;
 */
export class RunningStats {
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private min = Infinity;
  private max = -Infinity;

  push(value: number): void {
    this.n++;
    const delta = value - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (value - this.mean);
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  get count(): number {
    return this.n;
  }

  summary(): LossSummary {
    const variance = this.n > 0 ? this.m2 / this.n : NaN;
    return { mean: this.n > 0 ? this.mean : NaN, variance, std: Math.sqrt(variance), min: this.n > 0 ? this.min : NaN, max: this.n > 0 ? this.max : NaN, count: this.n };
  }

  state(): [number, number, number, number | null, number | null] {
    return [this.n, this.mean, this.m2, this.n ? this.min : null, this.n ? this.max : null];
  }

  restore(s: readonly [number, number, number, number | null, number | null]): void {
    [this.n, this.mean, this.m2] = s;
    this.min = s[3] ?? Infinity;
    this.max = s[4] ?? -Infinity;
  }
}
