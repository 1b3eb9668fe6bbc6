import type { Callback, Logger, RunInfo, ScheduleBinding, Trainer } from '@anneal/core';
import type { TensorValue } from '@anneal/onnx';
import type { DependencyContainer } from 'tsyringe';
import { childContainer } from '../container.js';
import type { FitConfig } from '../config/fit-config.js';
import { loadPluginPackages, pluginPackages } from '../plugin-packages.js';
import { PLUGIN_REGISTRY, RUN_CALLBACKS, RUN_CONFIG, RUN_DATA, RUN_INFO, RUN_IO, RUN_LOGGERS, RUN_MODEL, RUN_OPTIONS, RUN_PARTS, RUN_SCHEDULES, RUN_SESSION, TRAINER } from '../tokens.js';
import { registerRun, swaSpec } from './register-run.js';
import type { ComposedRunView, RunOptions } from './run-options.js';

/** The SWA callback of a run (`callbacks.swa`): the running average of the epoch-end weights. */
export type SwaCallback = Callback & { readonly count: number; average(): Record<string, TensorValue> };

/** A composed run: its container, the Trainer, and what the pipeline reports and exports from. */
export interface ComposedRun extends ComposedRunView {
  /** The run's child container (every run token resolves in it). */
  readonly container: DependencyContainer;
  readonly config: FitConfig;
  readonly options: RunOptions;
  readonly trainer: Trainer;
  readonly schedules: readonly ScheduleBinding[];
  readonly loggers: readonly Logger[];
  readonly info: RunInfo;
  /** The SWA callback when the config has one. */
  readonly swa?: SwaCallback;
}

/**
 * A run's child container: the parent's plugins plus the packages the config names, the config
 * and options as values, values the caller provides (data, parts, model) and the factories of
 * everything else (see registerRun).
 */
export async function createRunContainer(parent: DependencyContainer, config: FitConfig, options: RunOptions): Promise<DependencyContainer> {
  const baseDir = options.baseDir ?? process.cwd();
  const c = childContainer(parent, await loadPluginPackages(pluginPackages(config), baseDir));
  c.register(RUN_CONFIG, { useValue: config });
  c.register(RUN_OPTIONS, { useValue: { ...options, baseDir } });
  if (options.io) c.register(RUN_IO, { useValue: options.io });
  const provide = options.provide;
  if (provide?.parts) c.register(RUN_PARTS, { useValue: Promise.resolve(provide.parts) });
  if (provide?.data) c.register(RUN_DATA, { useValue: Promise.resolve(provide.data) });
  if (provide?.model) c.register(RUN_MODEL, { useValue: Promise.resolve(provide.model) });
  registerRun(c);
  return c;
}

/** Resolves a run container into a {@link ComposedRun} (compiles the train step). */
export async function composeRun(c: DependencyContainer): Promise<ComposedRun> {
  const config = c.resolve(RUN_CONFIG);
  const [trainer, session, data, model, schedules, callbacks, loggers, info] = await Promise.all([
    c.resolve(TRAINER),
    c.resolve(RUN_SESSION),
    c.resolve(RUN_DATA),
    c.resolve(RUN_MODEL),
    c.resolve(RUN_SCHEDULES),
    c.resolve(RUN_CALLBACKS),
    c.resolve(RUN_LOGGERS),
    c.resolve(RUN_INFO),
  ]);
  const swa = swaSpec(c.resolve(PLUGIN_REGISTRY), config) ? (callbacks.find((cb) => 'average' in cb) as SwaCallback | undefined) : undefined;
  const run: ComposedRun = { container: c, config, options: c.resolve(RUN_OPTIONS), trainer, session, data, model: model.model, schedules, loggers, info, swa, weights: config.optimizer.ema ? 'average' : 'current' };
  run.options.onComposed?.(run);
  return run;
}
