import type { AutogradKinds } from '@anneal/autograd';
import type { CoreKinds } from '@anneal/core';
import type { DataSourceKinds } from '@anneal/data';
import type { ModelKinds } from '@anneal/engine';
import type { OptimizerKinds } from '@anneal/optim';
import type { PluginRegistry } from '@anneal/plugin';
import type { SchedulerKinds } from '@anneal/schedulers';
import type { SearchKinds } from '@anneal/search';

/** Every extension point of Anneal: what each kind's plugins produce and receive. */
export type AnnealKinds = SchedulerKinds & OptimizerKinds & AutogradKinds & CoreKinds & DataSourceKinds & ModelKinds & SearchKinds;

/** The one registry of a pipeline: built-in and plugin descriptors of every kind. */
export type AnnealRegistry = PluginRegistry<AnnealKinds>;
