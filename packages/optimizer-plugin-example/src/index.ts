import type { OptimizerDescriptor } from '@anneal/optim';
import { lionDescriptor } from './lion.js';

export { lion, lionDescriptor, lionOptions, type LionOptions } from './lion.js';

/**
 * Every optimizer this plugin provides; a config names one by `type` and `package`:
 *
 * @example
 * ```yaml
 * optimizer: { type: lion, package: '@anneal/optimizer-plugin-example', lr: 0.0003, weightDecay: 0.1 }
 * ```
 */
export const descriptors: readonly OptimizerDescriptor[] = [lionDescriptor];

export default descriptors;
