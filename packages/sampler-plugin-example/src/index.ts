import type { SamplerDescriptor } from '@anneal/search';
import { hillClimbDescriptor } from './hill-climb.js';

export { HillClimbSampler, hillClimbDescriptor, hillClimbOptions, type HillClimbOptions } from './hill-climb.js';

/**
 * The samplers this plugin provides; a tune config names one by `type` and `package`:
 *
 * @example
 * ```yaml
 * sampler: { type: hill-climb, package: '@anneal/sampler-plugin-example', startupTrials: 5 }
 * ```
 */
export const descriptors: readonly SamplerDescriptor[] = [hillClimbDescriptor];

export default descriptors;
