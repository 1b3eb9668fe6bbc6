import { isKebabCase, isPluginDescriptor, kindNoun, type PluginContext, type PluginDescriptor, type PluginSpec } from './descriptor.js';
import { PluginConfigError, PluginContractError } from './errors.js';
import { joinPath, kindOf, locateIssue } from './issue-format.js';

/** What a kind's descriptors produce and what their `create` receives. */
export interface KindTypes {
  product: unknown;
  context: PluginContext;
}

/** What the caller supplies of a kind's context (everything but `path` and `build`, which the registry adds). */
export type ContextExtras<C extends PluginContext> = Omit<C, keyof PluginContext>;

/** Where `target` sits inside `options` (identity search), as a config path below `prefix`. */
function pathOf(options: unknown, target: unknown, prefix: string, depth = 4): string | undefined {
  if (options === target) return prefix;
  if (depth === 0 || options === null || typeof options !== 'object') return undefined;
  const entries: [PropertyKey, unknown][] = Array.isArray(options) ? options.map((v, i): [number, unknown] => [i, v]) : Object.entries(options);
  for (const [key, value] of entries) {
    const found = pathOf(value, target, joinPath(prefix, [key]), depth - 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** An error a factory threw about one option (as @anneal/schedulers' ScheduleError does): `option` and `detail`. */
function optionError(error: unknown): { option: string; detail: string } | undefined {
  const e = error as { option?: unknown; detail?: unknown } | null;
  return e && typeof e.option === 'string' && typeof e.detail === 'string' ? { option: e.option, detail: e.detail } : undefined;
}

/**
 * Resolves plugin specs (`{ type, package?, ...options }`) of every kind against a list of
 * descriptors: the built-ins plus any plugin package's. A plain class with no global state; the
 * composition root decides which descriptors exist. `M` maps each kind to its product and
 * context types, so `build('schedule', ...)` is typed.
 *
 * @example
 * ```ts
 * const registry = new PluginRegistry<{ schedule: { product: Schedule; context: SchedulerContext } }>([...builtinSchedulers]);
 * const lr = registry.build('schedule', { type: 'cosine', base: 0.1, tMax: 1000 }, 'schedules[0].schedule', {});
 * ```
 */
export class PluginRegistry<M extends { [K in keyof M]: KindTypes } = Record<string, KindTypes>> {
  private readonly byKind = new Map<string, Map<string, PluginDescriptor>>();

  constructor(descriptors: readonly PluginDescriptor[]) {
    descriptors.forEach((d, i) => {
      const where = `descriptors[${i}]${typeof (d as { id?: unknown })?.id === 'string' ? ` ('${(d as { id: string }).id}')` : ''}`;
      if (!isPluginDescriptor(d)) throw new PluginContractError(where, 'is not a plugin descriptor: it needs kind, id, description, a zod `options` schema and `create(options, context)`');
      if (!isKebabCase(d.id)) throw new PluginContractError(`${where}.id`, `${kindNoun(d.kind)} id ${JSON.stringify(d.id)} is not kebab-case (e.g. 'cosine-with-warm-restarts'); rename it`);
      let ids = this.byKind.get(d.kind);
      if (!ids) this.byKind.set(d.kind, (ids = new Map()));
      if (ids.has(d.id)) throw new PluginContractError(`${where}.id`, `duplicate ${kindNoun(d.kind)} id '${d.id}': two descriptors (e.g. a plugin and a built-in) use it; give the plugin's a distinct id`);
      ids.set(d.id, d);
    });
  }

  /** Kinds with at least one descriptor. */
  kinds(): string[] {
    return [...this.byKind.keys()];
  }

  /** Every id of a kind, in registration order. */
  ids(kind: keyof M & string): string[] {
    return [...(this.byKind.get(kind)?.keys() ?? [])];
  }

  /** The descriptors of a kind, in registration order. */
  list<K extends keyof M & string>(kind: K): PluginDescriptor<K, unknown, M[K]['product'], M[K]['context']>[] {
    return [...(this.byKind.get(kind)?.values() ?? [])] as PluginDescriptor<K, unknown, M[K]['product'], M[K]['context']>[];
  }

  /** Whether a descriptor of this kind and id is registered. */
  has(kind: keyof M & string, id: string): boolean {
    return this.byKind.get(kind)?.has(id) ?? false;
  }

  /** The descriptor of this kind and id; a {@link PluginConfigError} listing the known ids otherwise. */
  get<K extends keyof M & string>(kind: K, id: string, path = 'type'): PluginDescriptor<K, unknown, M[K]['product'], M[K]['context']> {
    const found = this.byKind.get(kind)?.get(id);
    if (!found) throw new PluginConfigError([{ path, message: this.unknownMessage(kind, id, undefined) }]);
    return found as PluginDescriptor<K, unknown, M[K]['product'], M[K]['context']>;
  }

  /**
   * Validates a spec against its descriptor's schema: the descriptor and the parsed options
   * (defaults filled in). Errors are {@link PluginConfigError}s whose paths start with `path`.
   */
  parse<K extends keyof M & string>(kind: K, spec: unknown, path: string): { descriptor: PluginDescriptor<K, unknown, M[K]['product'], M[K]['context']>; options: unknown } {
    const noun = kindNoun(kind);
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
      throw new PluginConfigError([{ path, message: `expected a ${noun} object like { "type": "${this.ids(kind)[0] ?? 'id'}", ... }, got ${kindOf(spec)}` }]);
    }
    const { type, package: pkg, ...options } = spec as PluginSpec;
    if (typeof type !== 'string' || type === '') {
      throw new PluginConfigError([{ path: joinPath(path, ['type']), message: `is required: name the ${noun}, one of ${this.ids(kind).join(', ')}` }]);
    }
    const descriptor = this.byKind.get(kind)?.get(type);
    if (!descriptor) throw new PluginConfigError([{ path: joinPath(path, ['type']), message: this.unknownMessage(kind, type, pkg) }]);
    const parsed = descriptor.options.safeParse(options, { reportInput: true });
    if (!parsed.success) {
      throw new PluginConfigError(
        parsed.error.issues.map((issue) => {
          const located = locateIssue(path, issue, descriptor.options);
          return { path: located.path, message: `${located.message} (${noun} '${type}')` };
        }),
      );
    }
    return { descriptor: descriptor as PluginDescriptor<K, unknown, M[K]['product'], M[K]['context']>, options: parsed.data };
  }

  /**
   * Validates `spec` and builds its product with `create(options, context)`; the context is
   * `extras` plus the spec's `path` and a `build` for nested specs (same kind by default). A
   * factory's failure becomes a {@link PluginConfigError} at `path` (or at `path.<option>` when
   * the error names the option).
   */
  build<K extends keyof M & string>(kind: K, spec: unknown, path: string, extras: ContextExtras<M[K]['context']>): M[K]['product'] {
    const { descriptor, options } = this.parse(kind, spec, path);
    const context = {
      ...extras,
      path,
      build: (child: PluginSpec, childKind: string = kind) => this.build(childKind as K, child, pathOf(options, child, path) ?? `${path}(nested)`, extras),
    } as unknown as M[K]['context'];
    try {
      return descriptor.create(options, context);
    } catch (error) {
      if (error instanceof PluginConfigError) throw error;
      const named = optionError(error);
      if (named) throw new PluginConfigError([{ path: `${path}.${named.option}`, message: named.detail }], { cause: error });
      const detail = error instanceof Error ? error.message : String(error);
      throw new PluginConfigError([{ path, message: `${kindNoun(kind)} '${descriptor.id}' failed to build: ${detail}` }], { cause: error });
    }
  }

  private unknownMessage(kind: string, type: string, pkg: unknown): string {
    const noun = kindNoun(kind);
    const known = `known ${noun}s: ${this.ids(kind as keyof M & string).join(', ') || 'none'}`;
    if (typeof pkg === 'string') return `${noun} '${type}' from package '${pkg}' is not registered (${known}); check that '${pkg}' is installed and exports a ${noun} descriptor with id '${type}'`;
    return `unknown ${noun} '${type}' (${known}); if it comes from a plugin, add "package": "<npm package>" next to "type" and install that package`;
  }
}
