import type { CallbackDescriptor } from '@anneal/core';
import { PluginConfigError, type PluginConfigIssue } from '@anneal/plugin';
import type { FitConfig } from '../config/fit-config.js';
import { ConfigError } from '../errors.js';
import type { AnnealRegistry } from '../kinds.js';
import { callbackSpecs, metricSpecs, optimizerSpec } from './config-specs.js';

/**
 * Checks every plugin spec of a fit config against its descriptor's schema (schedules are built,
 * which checks their nested specs too) and reports all problems at once with their config paths.
 */
export function checkSpecs(registry: AnnealRegistry, config: FitConfig): void {
  const issues: PluginConfigIssue[] = [];
  const attempt = (check: () => unknown) => {
    try {
      check();
    } catch (e) {
      if (e instanceof PluginConfigError) issues.push(...e.issues);
      else throw e;
    }
  };
  attempt(() => registry.parse('data-source', config.data.source, 'data.source'));
  attempt(() => registry.parse('model', config.model, 'model'));
  attempt(() => registry.parse('loss', config.loss, 'loss'));
  attempt(() => registry.parse('optimizer', optimizerSpec(config.optimizer), 'optimizer'));
  config.schedules.forEach((s, i) => attempt(() => registry.build('schedule', s.schedule, `schedules[${i}].schedule`, {})));
  for (const s of metricSpecs(config.metrics)) attempt(() => registry.parse('metric', s.spec, s.path));
  const noVal = config.data.split.val === 0;
  const withoutVal = (path: string, monitor: string): PluginConfigIssue => ({ path, message: `monitors '${monitor}', but data.split.val is 0, so no epoch is validated; give the run a validation split (data.split.val: 0.1) or monitor a train.* value` });
  for (const s of callbackSpecs(config.callbacks)) {
    attempt(() => {
      const { descriptor, options } = registry.parse('callback', s.spec, s.path);
      if (noVal) for (const m of (descriptor as CallbackDescriptor).monitors?.(options) ?? []) if (m.startsWith('val.')) issues.push(withoutVal(`${s.path}.monitor`, m));
    });
  }
  config.schedules.forEach((s, i) => {
    if (noVal && s.monitor?.startsWith('val.')) issues.push(withoutVal(`schedules[${i}].monitor`, s.monitor));
  });
  config.loggers.forEach((spec, i) => attempt(() => registry.parse('logger', spec, `loggers[${i}]`)));
  if (issues.length) throw new ConfigError(`invalid config:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`, { cause: new PluginConfigError(issues) });
}
