import type { Metric, MetricContext, MetricDescriptor } from '@anneal/core';
import { gatherRows } from '@anneal/data';
import { DataType, type TensorValue } from '@anneal/onnx';
import { expect } from 'vitest';
import { describeChecks, descriptorContractChecks, noNestedSpecs, optionLabel, parseOptions, type ConformanceCheck } from './descriptor-contract.js';
import { randn } from './fixtures.js';

/** One batch a metric is updated with. */
export interface MetricBatch {
  readonly logits: TensorValue;
  readonly labels: TensorValue;
}

/** Inputs of {@link describeMetricConformance}. */
export interface MetricConformanceCases {
  /** Option sets the schema must accept; every check runs on each. */
  readonly valid: readonly unknown[];
  /** Option sets the schema must reject. */
  readonly invalid: readonly unknown[];
  /** Classes of the task (the context's `classes` and the width of the logits; default 5). */
  readonly classes?: number;
  /** Makes a batch of `n` examples (default: float logits [n, classes] with ties between classes, int64 labels in [0, classes)). */
  readonly batch?: (n: number, classes: number, seed: number) => MetricBatch;
}

/** Logits with ties (a third of the rows repeat a value) and int64 labels; row i depends on (seed, i) only. */
function defaultBatch(n: number, classes: number, seed: number): MetricBatch {
  const logits = new Float32Array(n * classes);
  const labels = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const row = randn(classes, seed * 1009 + i);
    if (i % 3 === 0) row.fill(row[0]!, 0, Math.min(classes, 3));
    logits.set(row, i * classes);
    labels[i] = BigInt(Math.floor(Math.abs(randn(1, seed * 2003 + i)[0]! * 1e6)) % classes);
  }
  return { logits: { dataType: DataType.FLOAT, dims: [n, classes], data: logits }, labels: { dataType: DataType.INT64, dims: [n], data: labels } };
}

function rows(batch: MetricBatch, from: number, to: number): MetricBatch {
  const index = Array.from({ length: to - from }, (_, i) => from + i);
  return { logits: gatherRows(batch.logits, index), labels: gatherRows(batch.labels, index) };
}

/** Equal numbers, NaN equal to NaN, up to a relative 1e-12 (sums in another order). */
function same(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return a === b || Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b));
}

const N = 24;
/** Ways to cut the batch of N rows: every piece updates the metric on its own. */
const CUTS: readonly (readonly number[])[] = [[12, 12], [1, 7, 16], Array.from({ length: N }, () => 1)];

/** The checks {@link describeMetricConformance} runs. */
export function metricConformanceChecks<O>(descriptor: MetricDescriptor<O>, cases: MetricConformanceCases): ConformanceCheck[] {
  const classes = cases.classes ?? 5;
  const batchOf = cases.batch ?? defaultBatch;
  const context: MetricContext = { path: 'metrics[0]', build: noNestedSpecs('metric'), classes };
  const create = (options: unknown): Metric => descriptor.create(parseOptions(descriptor, options), context);
  const whole = batchOf(N, classes, 1);
  const more = batchOf(10, classes, 2);
  const updated = (m: Metric, ...batches: MetricBatch[]) => {
    for (const b of batches) m.update(b.logits, b.labels);
    return m;
  };

  const checks = descriptorContractChecks<Metric>(descriptor, {
    kind: 'metric',
    valid: cases.valid,
    invalid: cases.invalid,
    create: (options) => descriptor.create(options as O, context),
    independence: { use: (m) => updated(m, whole), observe: (m) => [m.compute(), m.state()] },
  });
  cases.valid.forEach((options, k) => {
    const label = optionLabel(options, k);
    checks.push(
      {
        title: `${label}: has a name a monitor can address (letters, digits, '_'; not 'loss'), the same for every instance`,
        run() {
          const name = create(options).name;
          expect(/^[A-Za-z0-9_]+$/.test(name), `name '${name}': monitors read '<pass>.<name>' (e.g. 'val.${name}'), so it may hold only letters, digits and '_'`).toBe(true);
          expect(name, "'loss' is the pass's loss; a metric of that name would be unreachable").not.toBe('loss');
          expect(create(options).name).toBe(name);
        },
      },
      {
        title: `${label}: one update with a whole batch equals updates with its pieces (${CUTS.map((c) => c.length).join(', ')} pieces)`,
        run() {
          const expected = updated(create(options), whole).compute();
          expect(Number.isFinite(expected), `compute() after a batch of ${N} gives ${expected}`).toBe(true);
          for (const cut of CUTS) {
            const m = create(options);
            let from = 0;
            for (const size of cut) updated(m, rows(whole, from, (from += size)));
            const got = m.compute();
            expect(same(got, expected), `pieces of [${cut.join(', ')}] rows give ${got}, the whole batch ${expected}`).toBe(true);
          }
        },
      },
      {
        title: `${label}: reset() returns it to a fresh metric`,
        run() {
          const fresh = create(options);
          const m = updated(create(options), whole);
          m.reset();
          expect(same(m.compute(), fresh.compute()), `compute() after reset is ${m.compute()}, a fresh metric's ${fresh.compute()}`).toBe(true);
          expect(m.state(), 'state() after reset').toEqual(fresh.state());
          expect(same(updated(m, more).compute(), updated(fresh, more).compute()), 'after reset, an update must count only the new batch').toBe(true);
        },
      },
      {
        title: `${label}: state() is finite numbers and restore() of it (through JSON) continues exactly (a mid-epoch checkpoint)`,
        run() {
          const m = updated(create(options), rows(whole, 0, 13));
          const state = m.state();
          expect(Array.isArray(state) && state.every((v) => typeof v === 'number' && Number.isFinite(v)), `state() ${JSON.stringify(state)} must be an array of finite numbers`).toBe(true);
          const fresh = create(options);
          fresh.restore(JSON.parse(JSON.stringify(state)) as number[]);
          expect(same(fresh.compute(), m.compute()), `restored compute() ${fresh.compute()} vs ${m.compute()}`).toBe(true);
          updated(m, rows(whole, 13, N), more);
          updated(fresh, rows(whole, 13, N), more);
          expect(same(fresh.compute(), m.compute()), `after more updates: restored ${fresh.compute()} vs original ${m.compute()}`).toBe(true);
          expect(fresh.state()).toEqual(m.state());
        },
      },
      {
        title: `${label}: leaves the logits and labels it is given unchanged`,
        run() {
          const copy = { logits: whole.logits.data.slice(), labels: whole.labels.data.slice() };
          updated(create(options), whole);
          expect(whole.logits.data).toEqual(copy.logits);
          expect(whole.labels.data).toEqual(copy.labels);
        },
      },
    );
  });
  return checks;
}

/**
 * Declares vitest blocks that check a metric descriptor against the plugin contract and, for
 * every valid option set, against the Metric contract: a name monitors can address; updates are
 * batch-split invariant (a whole batch equals its pieces, down to single rows); `reset()` gives a
 * fresh metric; `state()` is finite numbers and `restore()` continues exactly (the Trainer's
 * mid-epoch checkpoints); inputs are not changed.
 *
 * @example
 * ```ts
 * // my-metric.spec.ts
 * import { describeMetricConformance } from '@anneal/testing';
 * describeMetricConformance(balancedAccuracy, { valid: [{}], invalid: [{ extra: 1 }], classes: 4 });
 * ```
 */
export function describeMetricConformance<O>(descriptor: MetricDescriptor<O>, cases: MetricConformanceCases): void {
  describeChecks(`metric conformance: ${descriptor.id}`, metricConformanceChecks(descriptor, cases));
}
