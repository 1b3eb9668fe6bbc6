import type { SchedulerDescriptor } from '@anneal/schedulers';
import { cyclicTriangularDescriptor } from './cyclic-triangular.js';

export { cyclicTriangular, cyclicTriangularDescriptor, cyclicTriangularOptions, type CyclicTriangularOptions } from './cyclic-triangular.js';

/**
 * Every scheduler this plugin provides. A config names one by `type` and `package` (the CLI and
 * @anneal/pipeline import the package and register its descriptors next to the built-ins); code
 * can register them itself:
 *
 * @example
 * ```ts
 * import plugin from '@anneal/scheduler-plugin-example';
 * const registry = new PluginRegistry<SchedulerKinds>([...builtinSchedulers, ...plugin]);
 * ```
 */
export const descriptors: readonly SchedulerDescriptor[] = [cyclicTriangularDescriptor];

export default descriptors;
