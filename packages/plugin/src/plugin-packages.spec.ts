import { describe, expect, it } from 'vitest';
import { pluginPackages } from './plugin-packages.js';

describe('pluginPackages', () => {
  it('finds the plugins list and every package of a plugin spec, however deep, once each', () => {
    const config = {
      plugins: ['@acme/a', 3],
      schedules: [{ target: 'lr', schedule: { type: 'warmup', package: '@acme/b', inner: { type: 'x', package: '@acme/c' } } }],
      callbacks: [{ type: 'y', package: '@acme/a' }],
      tune: { sampler: { type: 'hill', package: '@acme/d' }, base: { plugins: ['@acme/e'] } },
    };
    expect(pluginPackages(config)).toEqual(['@acme/a', '@acme/b', '@acme/c', '@acme/d', '@acme/e']);
  });

  it('finds nothing in a config without plugins, or in something that is not an object', () => {
    expect(pluginPackages({ model: { type: 'mlp', hidden: [8] }, package: 7 })).toEqual([]);
    expect(pluginPackages(null)).toEqual([]);
    expect(pluginPackages('plugins')).toEqual([]);
  });
});
