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
  for (const s of callbackSpecs(config.callbacks)) attempt(() => registry.parse('callback', s.spec, s.path));
  config.loggers.forEach((spec, i) => attempt(() => registry.parse('logger', spec, `loggers[${i}]`)));
  if (issues.length) throw new ConfigError(`invalid config:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`, { cause: new PluginConfigError(issues) });
}
