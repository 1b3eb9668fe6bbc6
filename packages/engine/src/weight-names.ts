import { optimNames } from '@anneal/optim';
import { EngineError } from './errors.js';
import type { SessionCore } from './session-core.js';
import type { WeightChoice } from './train-session-types.js';

/** Whether the step graph keeps an average of the weights (`optimizer.ema`). */
export function hasWeightAverage(core: SessionCore): boolean {
  return core.update.state.some((s) => s.slot === 'ema');
}

/** The state name of a parameter's current value or of its average. */
export function weightName(core: SessionCore, p: string, weights: WeightChoice): string {
  if (weights === 'current') return p;
  if (!hasWeightAverage(core)) throw new EngineError(`weights: 'average' needs a weight average in the step graph; create the session with optimizer.ema (e.g. { decay: 0.995 })`);
  return optimNames.state('ema', p);
}

/** A running statistic's state name: its average when asked for and kept (optimizer.ema with batchNorm 'train'). */
export function statisticName(core: SessionCore, name: string, weights: WeightChoice): string {
  const average = optimNames.state('ema', name);
  return weights === 'average' && core.state.has(average) ? average : name;
}
