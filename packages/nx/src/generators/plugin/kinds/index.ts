import { callback } from './callback.js';
import { dataSource } from './data-source.js';
import { gradientRule } from './gradient-rule.js';
import type { KindSource } from './kind-source.js';
import { logger } from './logger.js';
import { loss } from './loss.js';
import { metric } from './metric.js';
import { model } from './model.js';
import { optimizer } from './optimizer.js';
import { pruner } from './pruner.js';
import { sampler } from './sampler.js';
import { schedule } from './schedule.js';
import { storage } from './storage.js';

/** The extension point kinds of Anneal, as `--kind` takes them. */
export const PLUGIN_KINDS = ['schedule', 'optimizer', 'loss', 'metric', 'callback', 'logger', 'sampler', 'pruner', 'storage', 'data-source', 'model', 'gradient-rule'] as const;

/** One extension point kind. */
export type PluginKind = (typeof PLUGIN_KINDS)[number];

/** What the plugin generator writes for each kind. */
export const KIND_SOURCES: Readonly<Record<PluginKind, KindSource>> = {
  schedule,
  optimizer,
  loss,
  metric,
  callback,
  logger,
  sampler,
  pruner,
  storage,
  'data-source': dataSource,
  model,
  'gradient-rule': gradientRule,
};
