import { SearchError } from '../errors.js';

/**
 * A sampler was configured or used in a way it cannot serve (an empty grid, too many
 * dimensions for its sequence, a bad option). The message names the sampler and what to change.
 */
export class SamplerError extends SearchError {
  constructor(
    readonly sampler: string,
    message: string,
  ) {
    super('SAMPLER', `${sampler} sampler: ${message}`);
  }
}
