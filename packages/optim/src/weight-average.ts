import { DataType, type Dim, type GraphBuilder } from '@anneal/onnx';
import { OptimConfigError } from './errors.js';
import { optimNames } from './naming.js';

/** An exponential moving average of the weights kept inside the step graph (Polyak averaging). */
export interface WeightAverageConfig {
  /** Decay d of `avg = d * avg + (1 - d) * param` (e.g. 0.995); the `hp.ema_decay` input's default. */
  readonly decay: number;
  /** Ramp the decay up as `min(d, (1 + n) / (10 + n))` over the first updates n (default false). */
  readonly warmup?: boolean;
}

/** Carried tensors the average adds: `state.ema.<param>` per parameter and the 0-d update count `state.ema_count.all`. */
export interface WeightAverageUpdate {
  readonly state: readonly { input: string; output: string; param: string; dims?: readonly Dim[]; slot: string }[];
}

/** Checks an EMA config (decay in [0, 1)). */
export function checkWeightAverage(config: WeightAverageConfig): void {
  if (!(config.decay >= 0 && config.decay < 1)) throw new OptimConfigError('ema.decay', `must be in [0, 1) (e.g. 0.995), got ${config.decay}`);
}

/**
 * Emits the weight average after the optimizer update: for every parameter,
 * `new.state.ema.<p> = new.<p> + d (state.ema.<p> - new.<p>)` with `d = hp.ema_decay` (ramped up
 * with `warmup`), and `d = 0` on the first update so the average starts at the first updated
 * weights (the zero-initialized state never leaks in). The count of averaged updates is carried as
 * `state.ema_count.all`. Everything stays in ORT; nothing passes through JavaScript.
 *
 * @example
 * emitWeightAverage(b, [{ name: 'w', next: 'new.w', dims: [4, 2] }], { decay: 0.995 });
 */
export function emitWeightAverage(b: GraphBuilder, params: readonly { name: string; next: string; dims?: readonly Dim[] }[], config: WeightAverageConfig): WeightAverageUpdate {
  checkWeightAverage(config);
  const f = (v: number) => b.scalar(v, DataType.FLOAT);
  const count = optimNames.state('ema_count', 'all');
  b.input(count, DataType.FLOAT, []);
  const state: WeightAverageUpdate['state'][number][] = [{ input: count, output: optimNames.next(count), param: 'all', dims: [], slot: 'ema_count' }];
  b.op('Add', [count, f(1)], {}, { output: optimNames.next(count) });
  let decay = optimNames.hyperparameter('ema_decay');
  if (config.warmup) decay = b.op('Min', [decay, b.op('Div', [b.op('Add', [count, f(1)]), b.op('Add', [count, f(10)])])]);
  const started = b.op('Min', [count, f(1)]); // 0 on the first update, 1 afterwards
  decay = b.op('Mul', [decay, started]);
  for (const p of params) {
    const input = optimNames.state('ema', p.name);
    b.input(input, DataType.FLOAT, p.dims);
    const output = optimNames.next(input);
    b.op('Add', [p.next, b.op('Mul', [decay, b.op('Sub', [input, p.next])])], {}, { output });
    state.push({ input, output, param: p.name, dims: p.dims, slot: 'ema' });
  }
  return { state };
}
