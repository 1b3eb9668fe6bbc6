import type { GradientRegistry, Loss } from '@anneal/autograd';
import type { Callback, CheckpointIO, Logger, Metric, RunInfo, RunIo, ScheduleBinding, Trainer } from '@anneal/core';
import type { ModelDefinition, TrainSession } from '@anneal/engine';
import type { Optimizer } from '@anneal/optim';
import type { PluginDescriptor } from '@anneal/plugin';
import type { Pruner, Sampler, Storage, Trial } from '@anneal/search';
import type { InjectionToken } from 'tsyringe';
import type { FitConfig } from './config/fit-config.js';
import type { TuneConfig } from './config/tune-config.js';
import type { AnnealRegistry } from './kinds.js';
import type { RunData, RunParts } from './run/run-data.js';
import type { RunOptions } from './run/run-options.js';

// Pipeline level (the root container): what every run and study shares.
/** Plugin descriptors of every kind (multi-registered): the built-ins, the pipeline's plugins, and a run's plugin packages in its own container. */
export const PLUGINS: InjectionToken<PluginDescriptor> = Symbol('anneal.plugins');
/** The registry built from {@link PLUGINS} of the resolving container. */
export const PLUGIN_REGISTRY: InjectionToken<AnnealRegistry> = Symbol('anneal.plugin-registry');
/** Gradient rules: the built-in set plus every `gradient-rule` plugin, in registration order. */
export const GRADIENT_REGISTRY: InjectionToken<GradientRegistry> = Symbol('anneal.gradient-registry');
/** How checkpoints are written and read (safetensors, atomically). */
export const CHECKPOINT_IO: InjectionToken<CheckpointIO> = Symbol('anneal.checkpoint-io');
/** Where runs print (the CLI's terminal, or silence). */
export const RUN_IO: InjectionToken<RunIo> = Symbol('anneal.run-io');

// Run level (a child container per run).
/** The validated fit config of the run. */
export const RUN_CONFIG: InjectionToken<FitConfig> = Symbol('anneal.run-config');
/** How the run is composed: its folder, resume, thread counts, extra callbacks and loggers. */
export const RUN_OPTIONS: InjectionToken<RunOptions> = Symbol('anneal.run-options');
/** The examples split into train / val / test, with the class count. */
export const RUN_PARTS: InjectionToken<Promise<RunParts>> = Symbol('anneal.run-parts');
/** The model plugin's product: forward graph, data input, trainable tensors, groups. */
export const RUN_MODEL: InjectionToken<Promise<ModelDefinition>> = Symbol('anneal.run-model');
/** The loaders over the parts, feeding the model's input. */
export const RUN_DATA: InjectionToken<Promise<RunData>> = Symbol('anneal.run-data');
export const RUN_INFO: InjectionToken<Promise<RunInfo>> = Symbol('anneal.run-info');
export const RUN_LOSS: InjectionToken<Promise<Loss>> = Symbol('anneal.run-loss');
export const RUN_OPTIMIZER: InjectionToken<Optimizer> = Symbol('anneal.run-optimizer');
/** Creates the metrics of one pass (a fresh set per pass). */
export const RUN_METRICS: InjectionToken<Promise<() => Metric[]>> = Symbol('anneal.run-metrics');
export const RUN_SESSION: InjectionToken<Promise<TrainSession>> = Symbol('anneal.run-session');
export const RUN_SCHEDULES: InjectionToken<Promise<ScheduleBinding[]>> = Symbol('anneal.run-schedules');
export const RUN_CALLBACKS: InjectionToken<Promise<Callback[]>> = Symbol('anneal.run-callbacks');
export const RUN_LOGGERS: InjectionToken<Promise<Logger[]>> = Symbol('anneal.run-loggers');
export const TRAINER: InjectionToken<Promise<Trainer>> = Symbol('anneal.trainer');

// Study level (a child container per study) and trial level (a child of it per trial).
export const TUNE_CONFIG: InjectionToken<TuneConfig> = Symbol('anneal.tune-config');
export const STUDY_STORAGE: InjectionToken<Promise<Storage>> = Symbol('anneal.study-storage');
export const STUDY_SAMPLER: InjectionToken<Sampler> = Symbol('anneal.study-sampler');
export const STUDY_PRUNER: InjectionToken<Pruner> = Symbol('anneal.study-pruner');
/** The trial a trial container runs. */
export const TRIAL: InjectionToken<Trial> = Symbol('anneal.trial');

/** Every token above, for the spec that checks each registered token is resolved somewhere. */
export const ALL_TOKENS = { PLUGINS, PLUGIN_REGISTRY, GRADIENT_REGISTRY, CHECKPOINT_IO, RUN_IO, RUN_CONFIG, RUN_OPTIONS, RUN_PARTS, RUN_MODEL, RUN_DATA, RUN_INFO, RUN_LOSS, RUN_OPTIMIZER, RUN_METRICS, RUN_SESSION, RUN_SCHEDULES, RUN_CALLBACKS, RUN_LOGGERS, TRAINER, TUNE_CONFIG, STUDY_STORAGE, STUDY_SAMPLER, STUDY_PRUNER, TRIAL } as const;
