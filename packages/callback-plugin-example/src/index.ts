import type { CallbackDescriptor, LoggerDescriptor } from '@anneal/core';
import { epochsMarkdownDescriptor } from './epochs-markdown.js';
import { lossSpikeGuardDescriptor } from './loss-spike-guard.js';

export { lossSpikeGuard, lossSpikeGuardDescriptor, lossSpikeGuardOptions, type LossSpikeGuardOptions } from './loss-spike-guard.js';
export { epochsMarkdown, epochsMarkdownDescriptor, epochsMarkdownOptions } from './epochs-markdown.js';

/**
 * The plugins of this package (a callback and a logger); a config names them by `type` and `package`:
 *
 * @example
 * ```yaml
 * callbacks: [{ type: loss-spike-guard, package: '@anneal/callback-plugin-example', factor: 4 }]
 * loggers: [{ type: epochs-markdown, package: '@anneal/callback-plugin-example' }]
 * ```
 */
export const descriptors: readonly (CallbackDescriptor | LoggerDescriptor)[] = [lossSpikeGuardDescriptor, epochsMarkdownDescriptor];

export default descriptors;
