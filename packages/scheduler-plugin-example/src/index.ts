import type { SchedulerDescriptor } from '@anneal/schedulers';
import { cyclicTriangularDescriptor } from './cyclic-triangular';

export { cyclicTriangular, cyclicTriangularDescriptor, cyclicTriangularOptions, type CyclicTriangularOptions } from './cyclic-triangular';

/**
 * Every scheduler this plugin provides. An app registers them next to the built-ins:
 *
 * @example
 * ```ts
 * import plugin from '@anneal/scheduler-plugin-example';
 * const registry = new SchedulerRegistry([...builtinSchedulers, ...plugin]);
 * ```
 */
export const descriptors: readonly SchedulerDescriptor[] = [cyclicTriangularDescriptor];

export default descriptors;
