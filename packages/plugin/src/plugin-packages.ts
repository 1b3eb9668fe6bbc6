/**
 * Package names a config asks for: its `plugins` list plus every `package` of a plugin spec
 * anywhere in it (schedules nested in wrappers, callbacks, the sampler of a tune config...). The
 * one rule by which `anneal` loads plugin packages and the Nx plugin finds what a config depends on.
 *
 * @example
 * pluginPackages({ plugins: ['a'], schedules: [{ schedule: { type: 'x', package: 'b' } }] }); // ['a', 'b']
 */
export function pluginPackages(config: unknown): string[] {
  const found = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.package === 'string') found.add(o.package);
      for (const [key, value] of Object.entries(o)) {
        if (key === 'plugins' && Array.isArray(value)) value.forEach((p) => typeof p === 'string' && found.add(p));
        else visit(value);
      }
    }
  };
  visit(config);
  return [...found];
}
