import type { FrozenTrial, StudyView } from '../types.js';
import { SamplerError } from './sampler-error.js';

/** Throws SamplerError when `study` has several objectives (for samplers that model one). */
export function singleObjectiveOnly(study: StudyView, sampler: string): void {
  if (study.directions && study.directions.length > 1) {
    throw new SamplerError(sampler, `models a single objective, but study '${study.name}' has ${study.directions.length} (${study.directions.join(', ')}); use NsgaIISampler, TpeSampler or RandomSampler for multi-objective studies`);
  }
}

/** A complete trial's value as "lower is better" (negated when maximizing); undefined for other trials and NaN values. */
export function signedValue(study: StudyView, trial: FrozenTrial): number | undefined {
  if (trial.state !== 'complete' || trial.value === undefined || Number.isNaN(trial.value)) return undefined;
  return study.direction === 'maximize' ? -trial.value : trial.value;
}
