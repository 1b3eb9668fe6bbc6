import { PluginConfigError, PluginRegistry } from '@anneal/plugin';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { builtinSchedulers, cosine, defineScheduler, exponential, warmup, type SchedulerKinds } from './index.js';

const registry = new PluginRegistry<SchedulerKinds>(builtinSchedulers);
const build = (r: PluginRegistry<SchedulerKinds>, spec: unknown, path = 'schedule') => r.build('schedule', spec, path, {});

function configError(spec: unknown, path?: string): PluginConfigError {
  try {
    build(registry, spec, path);
  } catch (error) {
    expect(error).toBeInstanceOf(PluginConfigError);
    return error as PluginConfigError;
  }
  throw new Error('expected a PluginConfigError');
}

describe('the built-in schedules in a PluginRegistry', () => {
  it('lists every built-in id', () => {
    expect(registry.ids('schedule')).toEqual([
      'constant',
      'step',
      'multi-step',
      'exponential',
      'cosine',
      'cosine-with-warm-restarts',
      'linear',
      'inverse-sqrt',
      'polynomial',
      'one-cycle',
      'reduce-on-plateau',
      'warmup',
      'sequential',
      'chained',
    ]);
    expect(registry.get('schedule', 'cosine').id).toBe('cosine');
  });

  it('builds nested specs into the same values as the factories', () => {
    const built = build(registry, { type: 'warmup', steps: 10, inner: { type: 'cosine', base: 0.1, tMax: 100 } });
    const direct = warmup(cosine({ base: 0.1, tMax: 100 }), { steps: 10 });
    for (const t of [0, 5, 10, 77]) expect(built.valueAt(t)).toBe(direct.valueAt(t));
  });

  it('builds a chained plateau schedule that can observe and checkpoint', () => {
    const s = build(registry, {
      type: 'chained',
      schedules: [{ type: 'cosine', base: 0.1, tMax: 10 }, { type: 'reduce-on-plateau', base: 1, factor: 0.5, patience: 0 }],
    });
    s.observe?.(1, 0);
    s.observe?.(2, 1);
    expect(s.valueAt(2)).toBeCloseTo(0.5 * cosine({ base: 0.1, tMax: 10 }).valueAt(2), 15);
    expect(s.state?.()).toEqual([null, expect.objectContaining({ changes: [[2, 0.5]] })]);
  });

  it('reports the config path and what was wrong', () => {
    const e = configError(
      { type: 'sequential', milestones: [5], schedules: [{ type: 'constant', base: 1 }, { type: 'warmup', steps: 2, inner: { type: 'cosine', base: 0.1, tMax: 'x' } }] },
      'schedules[0]',
    );
    expect(e.path).toBe('schedules[0].schedules[1].inner.tMax');
    expect(e.message).toBe("schedules[0].schedules[1].inner.tMax: expected number, got string (schedule 'cosine')");
  });

  it('lists every problem of one spec', () => {
    const e = configError({ type: 'cosine', base: '0.1', tmax: 10 });
    expect(e.issues.map((i) => i.path)).toEqual(['schedule.base', 'schedule.tMax', 'schedule.tmax']);
    expect(e.message).toContain('schedule.tMax: is required (expected number)');
    expect(e.message).toContain("schedule.tmax: unknown option 'tmax'; known options: base, tMax, etaMin");
  });

  it('checks cross-field rules of compositions', () => {
    const e = configError({ type: 'sequential', schedules: [{ type: 'constant', base: 1 }], milestones: [3] });
    expect(e.message).toBe("schedule.milestones: needs one entry fewer than schedules (0), got 1 (schedule 'sequential')");
  });

  it('names unknown ids with the known ones and the package hint', () => {
    const e = configError({ type: 'cosine', base: 1, tMax: 5, inner: 1 }, 'lr');
    expect(e.path).toBe('lr.inner');
    const unknown = configError({ type: 'warmup', steps: 1, inner: { type: 'cyclic-triangular', base: 1 } }, 'lr');
    expect(unknown.path).toBe('lr.inner.type');
    expect(unknown.message).toContain("unknown schedule 'cyclic-triangular' (known schedules: constant, step,");
    expect(unknown.message).toContain('add "package": "<npm package>" next to "type"');
    const missing = configError({ type: 'cyclic-triangular', package: '@acme/cyclic' });
    expect(missing.message).toContain("from package '@acme/cyclic' is not registered");
    expect(configError({ base: 1 }).message).toMatch(/^schedule\.type: is required: name the schedule, one of constant, step/);
    expect(configError(42).message).toBe('schedule: expected a schedule object like { "type": "constant", ... }, got number');
  });

  it('accepts plugin descriptors and rejects duplicate or non-kebab ids', () => {
    const halving = defineScheduler({
      id: 'halving',
      description: 'halves every step',
      options: z.strictObject({ base: z.number() }),
      create: (o) => exponential({ base: o.base, gamma: 0.5 }),
    });
    const withPlugin = new PluginRegistry<SchedulerKinds>([...builtinSchedulers, halving]);
    expect(build(withPlugin, { type: 'halving', package: '@acme/halving', base: 4 }).valueAt(2)).toBe(1);
    expect(() => new PluginRegistry([...builtinSchedulers, { ...halving, id: 'cosine' }])).toThrow(
      /descriptors\[14\] \('cosine'\)\.id: duplicate schedule id 'cosine'/,
    );
    expect(() => new PluginRegistry([{ ...halving, id: 'Halving_2' }])).toThrow(/not kebab-case/);
  });

  it('turns errors thrown by create into config errors at the spec path', () => {
    const broken = defineScheduler({
      id: 'broken',
      description: 'always fails',
      options: z.strictObject({}),
      create: () => {
        throw new Error('boom');
      },
    });
    const r = new PluginRegistry<SchedulerKinds>([broken]);
    expect(() => build(r, { type: 'broken' }, 'x')).toThrow("x: schedule 'broken' failed to build: boom");
  });
});
