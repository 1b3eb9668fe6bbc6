import { isAbsolute, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PluginOptionError, type PluginContext, type PluginDescriptor } from '@anneal/plugin';
import { z } from 'zod';
import { HyperbandPruner } from './pruners/hyperband-pruner.js';
import { MedianPruner } from './pruners/median-pruner.js';
import { NopPruner } from './pruners/nop-pruner.js';
import { PercentilePruner } from './pruners/percentile-pruner.js';
import { SuccessiveHalvingPruner } from './pruners/successive-halving-pruner.js';
import { CmaEsSampler, cmaEsSamplerOptions } from './samplers/cma-es-sampler.js';
import { GpSampler, gpSamplerOptions } from './samplers/gp-sampler.js';
import { GridSampler } from './samplers/grid-sampler.js';
import { NsgaIISampler, nsgaIISamplerOptions } from './samplers/nsga-ii-sampler.js';
import { QmcSampler } from './samplers/qmc-sampler.js';
import { RandomSampler } from './samplers/random-sampler.js';
import { TpeSampler } from './samplers/tpe-sampler.js';
import { JournalStorage } from './storage/journal-storage.js';
import { MemoryStorage } from './storage/memory-storage.js';
import { REDIS_RETRY_MAX_MS, RedisStorage } from './storage/redis-storage.js';
import type { Distribution, ParamValue, Pruner, Sampler, Storage } from './types.js';

/** What a sampler's `create` receives besides its options. */
export interface SamplerContext extends PluginContext {
  /** The study's declared search space by parameter name (empty for define-by-run studies). */
  readonly space: Readonly<Record<string, Distribution>>;
  /** The study's seed, for samplers whose options give none. */
  readonly seed: number;
}

/** What a pruner's `create` receives besides its options. */
export interface PrunerContext extends PluginContext {
  /** Steps (epochs) a trial reports at most, when known. */
  readonly maxSteps?: number;
}

/** What a study storage's `create` receives besides its options. */
export interface StorageContext extends PluginContext {
  /** The study's folder: relative paths in the options are resolved against it. */
  readonly dir: string;
  /** Where a storage reports what it repaired or skipped (a journal's torn last line); default process.emitWarning. */
  readonly onWarning?: (message: string) => void;
}

/** A sampler configs can name (`sampler: { type: <id>, ...options }`): the `sampler` kind. */
export type SamplerDescriptor<O = unknown> = PluginDescriptor<'sampler', O, Sampler, SamplerContext>;
/** A pruner configs can name (`pruner: { type: <id>, ...options }`): the `pruner` kind. */
export type PrunerDescriptor<O = unknown> = PluginDescriptor<'pruner', O, Pruner, PrunerContext>;
/** Where studies live (`storage: { type: <id>, ...options }`): the `storage` kind; `create` may connect asynchronously. */
export type StorageDescriptor<O = unknown> = PluginDescriptor<'storage', O, Storage | Promise<Storage>, StorageContext>;

/** The registry type map of the kinds @anneal/search owns. */
export interface SearchKinds {
  sampler: { product: Sampler; context: SamplerContext };
  pruner: { product: Pruner; context: PrunerContext };
  storage: { product: Storage | Promise<Storage>; context: StorageContext };
}

/**
 * A sampler descriptor (`kind: 'sampler'` filled in).
 *
 * @example
 * ```ts
 * export const mySampler = defineSampler({ id: 'my-sampler', description: '...', options: z.strictObject({ seed: z.number().int().optional() }), create: (o, ctx) => new MySampler({ seed: o.seed ?? ctx.seed }) });
 * ```
 */
export function defineSampler<O>(descriptor: Omit<SamplerDescriptor<O>, 'kind'>): SamplerDescriptor<O> {
  return { kind: 'sampler', ...descriptor };
}

/** A pruner descriptor (`kind: 'pruner'` filled in). */
export function definePruner<O>(descriptor: Omit<PrunerDescriptor<O>, 'kind'>): PrunerDescriptor<O> {
  return { kind: 'pruner', ...descriptor };
}

/** A storage descriptor (`kind: 'storage'` filled in). */
export function defineStorage<O>(descriptor: Omit<StorageDescriptor<O>, 'kind'>): StorageDescriptor<O> {
  return { kind: 'storage', ...descriptor };
}

/** Every point of a declared space, for the grid sampler: categorical choices, and integer or stepped float ranges. */
export function gridOf(space: Readonly<Record<string, Distribution>>): Record<string, ParamValue[]> {
  const grid: Record<string, ParamValue[]> = {};
  for (const [name, d] of Object.entries(space)) {
    if (d.kind === 'categorical') grid[name] = [...d.choices];
    else if (d.step !== undefined || d.kind === 'int') {
      const step = d.step ?? 1;
      grid[name] = Array.from({ length: Math.floor((d.high - d.low) / step + 1e-9) + 1 }, (_, k) => Number((d.low + k * step).toPrecision(12)));
    } else throw new PluginOptionError('space', `'${name}' is a continuous float; a grid needs a step or categorical choices`);
  }
  return grid;
}

const seed = z.number().int().optional();
const count = z.number().int().nonnegative();

/**
 * The built-in samplers: `tpe` (default of studies), `random`, `qmc` (Sobol/Halton), `grid` (over
 * the declared space), `cma-es`, `gp` (Gaussian process) and `nsga-ii`. The last three take their
 * sampler's exported zod schema as options (`cmaEsSamplerOptions`, `gpSamplerOptions`,
 * `nsgaIISamplerOptions`); a missing `seed` is the study's.
 */
export const builtinSamplers: readonly SamplerDescriptor[] = [
  defineSampler({
    id: 'tpe',
    description: 'tree-structured Parzen estimator (Optuna-style; multivariate optional)',
    options: z.strictObject({ seed, startupTrials: count.optional(), eiCandidates: z.number().int().positive().optional(), multivariate: z.boolean().optional(), considerEndpoints: z.boolean().optional(), priorWeight: z.number().positive().optional(), constantLiar: z.boolean().optional() }),
    create: (o, ctx) => new TpeSampler({ seed: o.seed ?? ctx.seed, nStartupTrials: o.startupTrials, nEiCandidates: o.eiCandidates, multivariate: o.multivariate, considerEndpoints: o.considerEndpoints, priorWeight: o.priorWeight, constantLiar: o.constantLiar }),
  }),
  defineSampler({ id: 'random', description: 'independent uniform draws (log-uniform for log ranges)', options: z.strictObject({ seed }), create: (o, ctx) => new RandomSampler({ seed: o.seed ?? ctx.seed }) }),
  defineSampler({
    id: 'qmc',
    description: 'quasi-random low-discrepancy points (scrambled Sobol or Halton)',
    options: z.strictObject({ seed, sequence: z.enum(['sobol', 'halton']).optional(), scramble: z.boolean().optional() }),
    create: (o, ctx) => new QmcSampler({ seed: o.seed ?? ctx.seed, kind: o.sequence, scramble: o.scramble }),
  }),
  defineSampler({
    id: 'grid',
    description: 'every point of the declared space in a seeded order (integer, stepped and categorical dimensions)',
    options: z.strictObject({ seed }),
    create: (o, ctx) => new GridSampler(gridOf(ctx.space), { seed: o.seed ?? ctx.seed }),
  }),
  defineSampler({
    id: 'cma-es',
    description: 'CMA-ES with IPOP restarts on the numeric parameters (categoricals and the warm start from TPE or random); single objective',
    options: cmaEsSamplerOptions,
    create: (o, ctx) => new CmaEsSampler({ ...o, seed: o.seed ?? ctx.seed }),
  }),
  defineSampler({
    id: 'gp',
    description: 'Gaussian-process Bayesian optimization (Matern 5/2, log EI); best on budgets up to a few hundred trials; single objective',
    options: gpSamplerOptions,
    create: (o, ctx) => new GpSampler({ ...o, seed: o.seed ?? ctx.seed }),
  }),
  defineSampler({
    id: 'nsga-ii',
    description: 'NSGA-II genetic algorithm (non-dominated sorting, crowding distance); for multi-objective studies',
    options: nsgaIISamplerOptions,
    create: (o, ctx) => new NsgaIISampler({ ...o, seed: o.seed ?? ctx.seed }),
  }),
];

const resource = z.number().int().positive();
const reduction = z.number().int().min(2);

/** The built-in pruners: `median` (default of `anneal tune`), `percentile`, `asha`, `hyperband` and `none`. */
export const builtinPruners: readonly PrunerDescriptor[] = [
  definePruner({
    id: 'median',
    description: 'prune a trial worse than the median of complete trials at the same step',
    options: z.strictObject({ startupTrials: count.default(5), warmupSteps: count.default(1), intervalSteps: z.number().int().positive().optional() }),
    create: (o) => new MedianPruner({ nStartupTrials: o.startupTrials, nWarmupSteps: o.warmupSteps, intervalSteps: o.intervalSteps }),
  }),
  definePruner({
    id: 'percentile',
    description: 'prune a trial outside the best `percentile`% of complete trials at the same step',
    options: z.strictObject({ percentile: z.number().min(0).max(100), startupTrials: count.default(5), warmupSteps: count.default(1) }),
    create: (o) => new PercentilePruner(o.percentile, { nStartupTrials: o.startupTrials, nWarmupSteps: o.warmupSteps }),
  }),
  definePruner({
    id: 'asha',
    description: 'asynchronous successive halving: about 1/reductionFactor of the trials reaching a rung go on',
    options: z.strictObject({ minResource: resource.default(1), reductionFactor: reduction.default(3) }),
    create: (o) => new SuccessiveHalvingPruner(o),
  }),
  definePruner({
    id: 'hyperband',
    description: 'Hyperband: several successive-halving brackets of different aggressiveness',
    options: z.strictObject({ minResource: resource.default(1), maxResource: resource.optional(), reductionFactor: reduction.default(3) }),
    create: (o, ctx) => new HyperbandPruner({ minResource: o.minResource, maxResource: o.maxResource ?? ctx.maxSteps ?? 'auto', reductionFactor: o.reductionFactor }),
  }),
  definePruner({ id: 'none', description: 'never prune', options: z.strictObject({}), create: () => new NopPruner() }),
];

const isUrl = (url: string): boolean => URL.canParse(url);

/** The built-in storages: `journal` (one JSON line per operation, several processes on one file system), `redis` (many machines) and `memory` (one process). */
export const builtinStorages: readonly StorageDescriptor[] = [
  defineStorage({
    id: 'journal',
    description: 'an append-only journal file (default study.jsonl in the study folder); processes sharing the file share the study',
    options: z.strictObject({ path: z.string().min(1).default('study.jsonl') }),
    create: (o, ctx) => {
      const path = isAbsolute(o.path) ? o.path : resolve(ctx.dir, o.path);
      mkdirSync(dirname(path), { recursive: true });
      return new JournalStorage(path, { onWarning: ctx.onWarning });
    },
  }),
  defineStorage({
    id: 'redis',
    description: 'a Redis server (redis://host:port): workers on any machine share the study; commands are retried across outages for up to retry.maxMs (default 30000)',
    options: z.strictObject({
      url: z.string().regex(/^rediss?:\/\/[^\s/]+/, 'a redis:// or rediss:// URL such as redis://127.0.0.1:6379').refine(isUrl, 'not a valid URL (host, port 0-65535, user:password@ escaped); e.g. redis://127.0.0.1:6379'),
      prefix: z.string().optional(),
      /** How long commands are retried across a lost connection before the worker fails (ms from the start of the outage). */
      retry: z.strictObject({ maxMs: z.number().int().positive().default(REDIS_RETRY_MAX_MS) }).optional(),
    }),
    create: (o) => RedisStorage.connect(o.url, { prefix: o.prefix, retry: o.retry }),
  }),
  defineStorage({ id: 'memory', description: 'in this process only (studies in code and tests)', options: z.strictObject({}), create: () => new MemoryStorage() }),
];
