import { builtinGradientRuleSets, builtinLosses } from '@anneal/autograd';
import { builtinCallbacks, builtinCoreLoggers, builtinMetrics } from '@anneal/core';
import { builtinDataSources } from '@anneal/data';
import { builtinModels } from '@anneal/engine';
import { builtinOptimizers } from '@anneal/optim';
import type { PluginDescriptor } from '@anneal/plugin';
import { builtinSchedulers } from '@anneal/schedulers';
import { builtinPruners, builtinSamplers, builtinStorages } from '@anneal/search';
import { builtinFileLoggers } from './loggers/builtin-loggers.js';

/** Every built-in descriptor, of every kind; a pipeline registers them exactly as it registers plugins. */
export const builtinPlugins: readonly PluginDescriptor[] = [
  ...builtinDataSources,
  ...builtinModels,
  ...builtinLosses,
  ...builtinGradientRuleSets,
  ...builtinOptimizers,
  ...builtinSchedulers,
  ...builtinMetrics,
  ...builtinCallbacks,
  ...builtinCoreLoggers,
  ...builtinFileLoggers,
  ...builtinSamplers,
  ...builtinPruners,
  ...builtinStorages,
];
