import { readFileSync } from 'node:fs';
import { PluginRegistry } from '@anneal/plugin';
import { builtinSchedulers, ScheduleError, type SchedulerKinds } from '@anneal/schedulers';
import { describeSchedulerConformance } from '@anneal/testing';
import { describe, expect, it } from 'vitest';
import plugin, { cyclicTriangular, cyclicTriangularDescriptor, descriptors } from './index.js';

interface CyclicCase {
  name: string;
  steps: number;
  options: { base_lr: number; max_lr: number; step_size_up: number; step_size_down?: number; mode: 'triangular' | 'triangular2' };
  lr: number[];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch-cyclic.json', import.meta.url), 'utf8')) as { cases: CyclicCase[] };

describeSchedulerConformance(cyclicTriangularDescriptor, {
  valid: [
    { base: 0.001, max: 0.01, stepSizeUp: 10 },
    { base: 0.01, max: 0.1, stepSizeUp: 7, stepSizeDown: 13, mode: 'triangular2' },
  ],
  invalid: [{ base: 0.001, max: 0.01 }, { base: 0.001, max: 0.01, stepSizeUp: 0 }, { base: 0.001, max: 0.01, stepSizeUp: 5, mode: 'exp_range' }],
});

describe('cyclic-triangular', () => {
  for (const c of fixture.cases) {
    it(`${c.name} matches torch CyclicLR over ${c.steps} steps`, () => {
      const o = c.options;
      const s = cyclicTriangular({ base: o.base_lr, max: o.max_lr, stepSizeUp: o.step_size_up, stepSizeDown: o.step_size_down, mode: o.mode });
      c.lr.forEach((expected, t) => {
        expect(Math.abs(s.valueAt(t) - expected), `step ${t}`).toBeLessThan(1e-12 * Math.abs(expected));
      });
    });
  }

  it('rises, peaks and falls by hand; triangular2 halves the peak each cycle', () => {
    const s = cyclicTriangular({ base: 1, max: 3, stepSizeUp: 2, stepSizeDown: 2, mode: 'triangular2' });
    // cycles of 4 steps: peaks 3, 2, 1.5 at steps 2, 6, 10.
    expect([0, 1, 2, 3, 4, 5, 6, 8, 9, 10].map((t) => s.valueAt(t))).toEqual([1, 2, 3, 2, 1, 1.5, 2, 1, 1.25, 1.5]);
    expect(() => s.valueAt(-1)).toThrow(ScheduleError);
  });

  it('is what the package exports, and a registry builds it from config by id and package', () => {
    expect(plugin).toBe(descriptors);
    expect(descriptors.map((d) => d.id)).toEqual(['cyclic-triangular']);
    const registry = new PluginRegistry<SchedulerKinds>([...builtinSchedulers, ...plugin]);
    const s = registry.build('schedule', {
      type: 'warmup',
      steps: 0,
      inner: { type: 'cyclic-triangular', package: '@anneal/scheduler-plugin-example', base: 0.001, max: 0.01, stepSizeUp: 10 },
    }, 'schedule', {});
    expect(s.valueAt(10)).toBeCloseTo(0.01, 15);
    expect(() => registry.build('schedule', { type: 'cyclic-triangular', base: 1, max: 2 }, 'lr', {})).toThrow(
      "lr.stepSizeUp: is required (expected number) (schedule 'cyclic-triangular')",
    );
  });
});
