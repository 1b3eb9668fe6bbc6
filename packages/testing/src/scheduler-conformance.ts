import { isKebabCase, PluginRegistry } from '@anneal/plugin';
import { builtinSchedulers, type JsonValue, type Schedule, type SchedulerContext, type SchedulerDescriptor, type SchedulerKinds } from '@anneal/schedulers';
import { describe, expect, it } from 'vitest';
import { descriptorContractChecks } from './descriptor-contract.js';

/** Inputs of {@link describeSchedulerConformance}. */
export interface SchedulerConformanceCases {
  /** Option objects the schema must accept (at least one); every check runs on each. */
  valid: readonly unknown[];
  /** Option objects the schema must reject. */
  invalid: readonly unknown[];
  /** Builds nested specs for wrappers/compositions. Default: a registry of the built-ins plus this descriptor. */
  context?: SchedulerContext;
  /** Steps checked: 0..steps. Default 500. */
  steps?: number;
}

/** A loss-like metric with progress, plateaus and ties, observed every 12 steps (for stateful schedules). */
const METRICS: readonly number[] = Array.from({ length: 40 }, (_, i) => {
  const plateau = Math.floor(i / 6) % 2 === 1;
  return plateau ? 0.5 + 0.5 / (1 + Math.floor(i / 6) * 6) : 0.5 + 0.5 / (1 + i);
});
const OBSERVE_EVERY = 12;

function feed(schedule: Schedule, from: number, to: number): void {
  if (!schedule.observe) return;
  for (let i = from; i < to; i++) schedule.observe(METRICS[i] as number, i * OBSERVE_EVERY);
}

function values(schedule: Schedule, steps: number): number[] {
  return Array.from({ length: steps + 1 }, (_, t) => schedule.valueAt(t));
}

/**
 * Declares vitest `describe`/`it` blocks that check a scheduler descriptor against the plugin
 * contract (the checks every kind shares: kind `schedule`, kebab-case id, a one-line
 * description, its schema accepts `valid` and rejects `invalid`), and
 * for every valid option set: `valueAt` is pure (forward, reverse and repeated evaluation over
 * 0..500 agree) and finite, `state()`/`restore()` round-trip through JSON into a fresh instance
 * (after observing a metric sequence when the schedule has `observe`), and two instances are
 * independent (no module-level mutable state).
 *
 * @example
 * ```ts
 * // my-plugin.spec.ts
 * import { describeSchedulerConformance } from '@anneal/testing';
 * describeSchedulerConformance(myDescriptor, { valid: [{ base: 0.1, period: 10 }], invalid: [{}, { base: 'x' }] });
 * ```
 */
export function describeSchedulerConformance<O>(
  descriptor: SchedulerDescriptor<O>,
  cases: SchedulerConformanceCases,
): void {
  const steps = cases.steps ?? 500;
  // Built lazily, so a descriptor with a bad id fails its own test rather than the whole file.
  let registry: PluginRegistry<SchedulerKinds> | undefined;
  const context: SchedulerContext = cases.context ?? {
    path: 'schedule',
    build: (spec) => {
      registry ??= new PluginRegistry<SchedulerKinds>([
        ...builtinSchedulers.filter((d) => d.id !== descriptor.id),
        ...(isKebabCase(descriptor.id) ? [descriptor as SchedulerDescriptor] : []),
      ]);
      return registry.build('schedule', spec, 'nested', {});
    },
  };
  const create = (options: unknown): Schedule => descriptor.create(descriptor.options.parse(options), context);

  describe(`scheduler conformance: ${descriptor.id}`, () => {
    for (const check of descriptorContractChecks(descriptor, { kind: 'schedule', valid: cases.valid, invalid: cases.invalid })) it(check.title, () => check.run());

    cases.valid.forEach((options, k) => {
      const label = `valid[${k}] ${JSON.stringify(options)}`;

      it(`${label}: parses and creates a schedule`, () => {
        expect(descriptor.options.safeParse(options).success).toBe(true);
        expect(typeof create(options).valueAt).toBe('function');
      });

      it(`${label}: valueAt is pure and finite over 0..${steps}`, () => {
        const schedule = create(options);
        feed(schedule, 0, METRICS.length);
        const forward = values(schedule, steps);
        const reverse: number[] = [];
        for (let t = steps; t >= 0; t--) reverse[t] = schedule.valueAt(t);
        expect(reverse).toEqual(forward);
        expect(values(schedule, steps)).toEqual(forward);
        for (const [t, v] of forward.entries()) expect(Number.isFinite(v), `valueAt(${t}) = ${v}`).toBe(true);
      });

      it(`${label}: state()/restore() round-trip through JSON into a fresh instance`, () => {
        const schedule = create(options);
        expect(typeof schedule.state === 'function', 'state and restore come together').toBe(typeof schedule.restore === 'function');
        if (!schedule.state || !schedule.restore) return;
        const initial = schedule.state();
        expect(JSON.parse(JSON.stringify(initial)), 'state() before any observation must be plain JSON').toEqual(initial);
        const half = METRICS.length / 2;
        feed(schedule, 0, half);
        const snapshot = schedule.state();
        const json = JSON.parse(JSON.stringify(snapshot)) as JsonValue;
        expect(json, 'state() must be plain JSON (no NaN, Infinity, undefined, classes)').toEqual(snapshot);
        const fresh = create(options);
        fresh.restore?.(json);
        expect(values(fresh, steps)).toEqual(values(schedule, steps));
        feed(schedule, half, METRICS.length);
        feed(fresh, half, METRICS.length);
        expect(values(fresh, steps)).toEqual(values(schedule, steps));
        expect(fresh.state?.()).toEqual(schedule.state());
      });

      it(`${label}: instances are independent`, () => {
        const a = create(options);
        const expected = values(create(options), steps);
        const b = create(options);
        feed(b, 0, METRICS.length);
        for (const other of cases.valid) feed(create(other), 0, METRICS.length);
        expect(values(a, steps)).toEqual(expected);
      });
    });
  });
}
