import type { SchedulerContext, SchedulerDescriptor, ScheduleSpec } from './descriptor';
import { isKebabCase } from './descriptor';
import { ScheduleConfigError, ScheduleError } from './errors';
import { joinPath, kindOf, locateIssue } from './issue-format';
import type { Schedule } from './schedule';

/** Where `target` sits inside `options` (identity search), as a config path below `prefix`. */
function pathOf(options: unknown, target: unknown, prefix: string, depth = 4): string | undefined {
  if (options === target) return prefix;
  if (depth === 0 || options === null || typeof options !== 'object') return undefined;
  const entries: [PropertyKey, unknown][] = Array.isArray(options)
    ? options.map((v, i): [number, unknown] => [i, v])
    : Object.entries(options);
  for (const [key, value] of entries) {
    const found = pathOf(value, target, joinPath(prefix, [key]), depth - 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Resolves schedule configs (`{ type, ...options }`) against a list of descriptors: the built-in
 * ones plus any plugin's. A plain class, no global state: the app decides which descriptors exist.
 *
 * @example
 * ```ts
 * const registry = new SchedulerRegistry([...builtinSchedulers, ...pluginDescriptors]);
 * const lr = registry.build({ type: 'warmup', steps: 100, inner: { type: 'cosine', base: 0.1, tMax: 1000 } }, 'schedules.lr');
 * ```
 */
export class SchedulerRegistry {
  private readonly byId = new Map<string, SchedulerDescriptor>();

  constructor(descriptors: readonly SchedulerDescriptor[]) {
    descriptors.forEach((d, i) => {
      const where = `descriptors[${i}]`;
      if (typeof d?.id !== 'string' || !isKebabCase(d.id)) {
        throw new ScheduleConfigError([
          { path: `${where}.id`, message: `scheduler id ${JSON.stringify(d?.id)} is not kebab-case (e.g. 'cosine-with-warm-restarts'); rename it` },
        ]);
      }
      if (this.byId.has(d.id)) {
        throw new ScheduleConfigError([
          { path: `${where}.id`, message: `duplicate scheduler id '${d.id}': two descriptors (e.g. a plugin and a built-in) use it; give the plugin's a distinct id` },
        ]);
      }
      this.byId.set(d.id, d);
    });
  }

  /** The descriptor with this id; throws a {@link ScheduleConfigError} listing the known ids otherwise. */
  get(id: string): SchedulerDescriptor {
    const found = this.byId.get(id);
    if (!found) throw new ScheduleConfigError([{ path: 'type', message: this.unknownMessage(id, undefined) }]);
    return found;
  }

  /** Every registered id, in registration order. */
  ids(): string[] {
    return [...this.byId.keys()];
  }

  /**
   * Validates `spec` with its descriptor's schema and builds the schedule. Errors are
   * {@link ScheduleConfigError}s whose paths start with `path` (e.g. `schedules[0].inner.tMax`).
   */
  build(spec: ScheduleSpec, path = 'schedule'): Schedule {
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
      throw new ScheduleConfigError([
        { path, message: `expected a schedule object like { "type": "cosine", "base": 0.1, "tMax": 1000 }, got ${kindOf(spec)}` },
      ]);
    }
    const { type, package: pkg, ...options } = spec;
    if (typeof type !== 'string' || type === '') {
      throw new ScheduleConfigError([
        { path: joinPath(path, ['type']), message: `is required: name the schedule, one of ${this.ids().join(', ')}` },
      ]);
    }
    const descriptor = this.byId.get(type);
    if (!descriptor) {
      throw new ScheduleConfigError([{ path: joinPath(path, ['type']), message: this.unknownMessage(type, pkg) }]);
    }
    const parsed = descriptor.options.safeParse(options, { reportInput: true });
    if (!parsed.success) {
      throw new ScheduleConfigError(
        parsed.error.issues.map((issue) => {
          const located = locateIssue(path, issue, descriptor.options);
          return { path: located.path, message: `${located.message} (schedule '${type}')` };
        }),
      );
    }
    const context: SchedulerContext = {
      build: (child) => this.build(child, pathOf(parsed.data, child, path) ?? `${path}(nested)`),
    };
    try {
      return descriptor.create(parsed.data, context);
    } catch (error) {
      if (error instanceof ScheduleConfigError) throw error;
      if (error instanceof ScheduleError) {
        throw new ScheduleConfigError([{ path: `${path}.${error.option}`, message: error.detail }], { cause: error });
      }
      const detail = error instanceof Error ? error.message : String(error);
      throw new ScheduleConfigError([{ path, message: `schedule '${type}' failed to build: ${detail}` }], { cause: error });
    }
  }

  private unknownMessage(type: string, pkg: unknown): string {
    const known = `known schedules: ${this.ids().join(', ')}`;
    if (typeof pkg === 'string') {
      return `schedule '${type}' from package '${pkg}' is not registered (${known}); check that '${pkg}' is installed and exports a descriptor with id '${type}'`;
    }
    return `unknown schedule '${type}' (${known}); if it comes from a plugin, add "package": "<npm package>" next to "type" and install that package`;
  }
}
