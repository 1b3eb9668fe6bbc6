import { z } from 'zod';

/**
 * The extension points of Anneal, by kind id, with the noun messages use. Every kind follows the
 * same contract ({@link PluginDescriptor}); the packages that own a kind export a `define*`
 * helper that fixes `kind` and types `create` (e.g. `defineScheduler` in @anneal/schedulers).
 */
export const PLUGIN_KINDS = {
  schedule: 'schedule',
  optimizer: 'optimizer',
  loss: 'loss',
  metric: 'metric',
  callback: 'callback',
  logger: 'logger',
  sampler: 'sampler',
  pruner: 'pruner',
  storage: 'study storage',
  'data-source': 'data source',
  model: 'model',
  'gradient-rule': 'gradient rule',
} as const;

/** One of the built-in extension points: `schedule`, `optimizer`, `loss`, ... */
export type PluginKind = keyof typeof PLUGIN_KINDS;

/** A plugin in config form: `type` is a descriptor id, `package` the npm package that provides it, every other key an option. */
export type PluginSpec = { type: string; package?: string } & Record<string, unknown>;

/** Zod schema of a {@link PluginSpec} (its options are checked later by the descriptor's own schema). */
export const pluginSpecSchema: z.ZodType<PluginSpec> = z.looseObject({
  type: z.string().min(1),
  package: z.string().min(1).optional(),
});

/**
 * What every `create` receives besides its options. Kinds extend it with what their plugins
 * need (the run's data shape for a model, the search space for a sampler, ...).
 */
export interface PluginContext {
  /** Config path of the spec being built, e.g. `schedules[0].schedule`; use it in error messages. */
  readonly path: string;
  /** Builds a nested spec found in this plugin's options (a wrapper's `inner` schedule, say); errors name its config path. */
  build(spec: PluginSpec, kind?: string): unknown;
}

/**
 * The one plugin contract of every extension point: an id unique within its kind (kebab-case),
 * a one-line description, a zod schema of the options and `create(options, context)` building
 * the product (a schedule, an optimizer, a sampler, ...). Configs name a plugin by
 * `{ type: id, package?, ...options }`; a plugin package exports its descriptors as
 * `descriptors` (an array) or a default export.
 *
 * @example
 * ```ts
 * const halving = definePlugin({
 *   kind: 'schedule',
 *   id: 'halving',
 *   description: 'halves every `every` steps',
 *   options: z.strictObject({ base: z.number(), every: z.number().int().positive() }),
 *   create: (o) => ({ valueAt: (t: number) => o.base * 0.5 ** Math.floor(t / o.every) }),
 * });
 * ```
 */
export interface PluginDescriptor<K extends string = string, O = unknown, T = unknown, C extends PluginContext = PluginContext> {
  /** The extension point, e.g. `schedule` (see {@link PLUGIN_KINDS}). */
  readonly kind: K;
  /** kebab-case id, unique among the registered descriptors of its kind (e.g. `cosine`). */
  readonly id: string;
  /** One line for humans (CLI listings, error hints). */
  readonly description: string;
  /** Zod 4 schema of the options object (every spec key but `type` and `package`). */
  readonly options: z.ZodType<O>;
  /** Builds the product from parsed options. */
  create(options: O, context: C): T;
}

/**
 * Identity function that infers a descriptor's types (options from its schema).
 *
 * @example
 * ```ts
 * export const descriptors = [definePlugin({ kind: 'metric', id: 'error-rate', description: '1 - accuracy', options: z.strictObject({}), create: () => errorRate() })];
 * ```
 */
export function definePlugin<K extends string, O, T, C extends PluginContext = PluginContext>(descriptor: PluginDescriptor<K, O, T, C>): PluginDescriptor<K, O, T, C> {
  return descriptor;
}

/** The id rule: lower-case letters and digits in dash-separated words (`cosine-with-warm-restarts`). */
export function isKebabCase(id: string): boolean {
  return /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(id);
}

/** Whether a value has the shape of a descriptor (kind, id, description, a zod schema, create). */
export function isPluginDescriptor(value: unknown): value is PluginDescriptor {
  const o = value as Partial<PluginDescriptor> | null;
  return (
    !!o &&
    typeof o === 'object' &&
    typeof o.kind === 'string' &&
    typeof o.id === 'string' &&
    typeof o.description === 'string' &&
    typeof o.create === 'function' &&
    !!o.options &&
    typeof (o.options as { safeParse?: unknown }).safeParse === 'function'
  );
}

/** The noun of a kind for messages (`data source` for `data-source`); unknown kinds read as themselves. */
export function kindNoun(kind: string): string {
  return (PLUGIN_KINDS as Record<string, string>)[kind] ?? kind;
}
