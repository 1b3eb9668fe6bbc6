import type { ScheduleBinding } from '@anneal/core';
import type { HyperparameterInput } from '@anneal/optim';
import { batchScaling, swaLr } from '@anneal/schedulers';
import { ConfigError } from '../errors.js';
import type { FitConfig } from '../config/fit-config.js';
import type { AnnealRegistry } from '../kinds.js';

/** The SWA options that shape the lr (`callbacks.swa` / `{ type: 'swa' }`), as parsed by its descriptor. */
export interface SwaLrOptions {
  startEpoch: number;
  lr?: number;
  annealEpochs: number;
  annealStrategy: 'cos' | 'linear';
}

/**
 * The lr bindings of a run with an SWA phase: the base-lr bindings (their product, or the constant
 * optimizer lr) until `startEpoch`, then the SWALR anneal to `swa.lr`. Per-epoch and plateau lr
 * schedules cannot be combined with it.
 */
function withSwaLr(bindings: ScheduleBinding[], swa: SwaLrOptions & { lr: number }, lr: number, batchesPerEpoch: number, path: string): ScheduleBinding[] {
  const base = bindings.filter((b) => b.target === 'lr' && !b.group);
  if (base.some((b) => b.interval === 'epoch' || b.schedule.observe)) throw new ConfigError(`${path}.lr: the lr schedules include a per-epoch or plateau schedule, which cannot be combined with the SWA lr phase; use per-step lr schedules, or leave swa.lr out and write the SWA phase into schedules`);
  const inner = { valueAt: (step: number) => (base.length ? base.reduce((v, b) => v * b.schedule.valueAt(step), 1) : lr) };
  const schedule = swaLr(inner, { start: (swa.startEpoch - 1) * batchesPerEpoch, annealSteps: swa.annealEpochs * batchesPerEpoch, swaLr: swa.lr, strategy: swa.annealStrategy });
  return [...bindings.filter((b) => !base.includes(b)), { target: 'lr', interval: 'step', schedule }];
}

/**
 * `optimizer.largeBatch`: one more base-lr binding, the batch-scaling factor (Goyal et al.'s
 * warmup from 1 to batch/baseBatch, then held). The Trainer multiplies bindings of one input, so
 * the configured schedules keep their shape; without any, the constant `optimizer.lr` is scaled.
 * Groups with their own `lr` do not follow the base rate, so each gets the factor as a group
 * binding too (times its lr unless a schedule already drives the group): the batch grew for every
 * parameter, not only for the base group.
 */
function withBatchScaling(bindings: ScheduleBinding[], config: FitConfig, batchesPerEpoch: number, inputs: readonly HyperparameterInput[]): ScheduleBinding[] {
  const lb = config.optimizer.largeBatch;
  if (!lb) return bindings;
  const factor = batchScaling({ batch: config.data.batchSize, baseBatch: lb.baseBatch, rule: lb.rule, warmupSteps: Math.round(lb.warmupEpochs * batchesPerEpoch) });
  const scaled = (driven: boolean, lr: number) => (driven ? factor : { valueAt: (step: number) => lr * factor.valueAt(step) });
  const base: ScheduleBinding = { target: 'lr', interval: 'step', schedule: scaled(bindings.some((b) => b.target === 'lr' && !b.group), config.optimizer.lr) };
  const own = inputs
    .filter((h) => h.key === 'lr' && !h.followsBase)
    .map((h): ScheduleBinding => ({ target: 'lr', group: h.group, interval: 'step', schedule: scaled(bindings.some((b) => b.target === 'lr' && b.group === h.group), h.value) }));
  return [...bindings, base, ...own];
}

/**
 * Every schedule binding of a run: the configured schedules (built by their plugins), the
 * large-batch factor and the SWA lr phase.
 */
export function scheduleBindings(registry: AnnealRegistry, config: FitConfig, options: { batchesPerEpoch: number; inputs: readonly HyperparameterInput[]; swa?: { options: SwaLrOptions; path: string } }): ScheduleBinding[] {
  const built: ScheduleBinding[] = config.schedules.map((s, i) => ({ target: s.target, group: s.group, interval: s.interval, monitor: s.monitor, schedule: registry.build('schedule', s.schedule, `schedules[${i}].schedule`, {}) }));
  const scaled = withBatchScaling(built, config, options.batchesPerEpoch, options.inputs);
  const swa = options.swa;
  return swa?.options.lr !== undefined ? withSwaLr(scaled, swa.options as SwaLrOptions & { lr: number }, config.optimizer.lr, options.batchesPerEpoch, swa.path) : scaled;
}
