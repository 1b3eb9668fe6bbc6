import { batchMetric, defineCallback, defineLogger, defineMetric, ofType, type AnnealEvent, type Callback } from '@anneal/core';
import { definePruner, NopPruner, type FrozenTrial, type StudyView } from '@anneal/search';
import { EMPTY, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { callbackConformanceChecks, describeCallbackConformance } from './callback-conformance.js';
import { descriptorContractChecks, type ConformanceCheck } from './descriptor-contract.js';
import { describeLoggerConformance, loggerConformanceChecks } from './logger-conformance.js';
import { describeMetricConformance, metricConformanceChecks } from './metric-conformance.js';
import { describePrunerConformance, prunerConformanceChecks } from './pruner-conformance.js';

/** Runs the check whose title contains `words`; resolves to its error (or undefined when it passed). */
async function failure(checks: readonly ConformanceCheck[], words: string): Promise<Error | undefined> {
  const check = checks.find((c) => c.title.includes(words));
  if (!check) throw new Error(`no check titled '...${words}...' among: ${checks.map((c) => c.title).join(' | ')}`);
  try {
    await check.run();
    return undefined;
  } catch (e) {
    return e as Error;
  }
}

// --- third-party plugins written against the contracts only: they pass -------------------------

/** Warns when a batch loss jumps above `factor` × the running mean; keeps the mean and count as state. */
const lossSpikeAlarm = defineCallback({
  id: 'loss-spike-alarm',
  description: 'warn when a batch loss exceeds factor x the running mean',
  options: z.strictObject({ factor: z.number().gt(1).default(1.2) }),
  create: (o): Callback => {
    let mean = 0;
    let count = 0;
    return {
      key: 'loss-spike-alarm',
      onBatchEnd: (e, control) => {
        if (count > 3 && e.loss > o.factor * mean) control.warn('LOSS_SPIKE', `step ${e.step}: loss ${e.loss} > ${o.factor} x ${mean}`);
        mean += (e.loss - mean) / ++count;
      },
      state: () => ({ mean, count }),
      restore: (s) => void ({ mean, count } = s as { mean: number; count: number }),
    };
  },
});
describeCallbackConformance(lossSpikeAlarm, { valid: [{}, { factor: 1.01 }], invalid: [{ factor: 1 }] });

const errorRate = defineMetric({ id: 'error-rate', description: '1 - accuracy', options: z.strictObject({}), create: () => batchMetric('error_rate', (logits, labels) => {
  const [n, c] = logits.dims as [number, number];
  let wrong = 0;
  for (let i = 0; i < n; i++) {
    const row = Array.from(logits.data.subarray(i * c, (i + 1) * c) as Float32Array);
    if (row.indexOf(Math.max(...row)) !== Number(labels.data[i])) wrong++;
  }
  return { sum: wrong, count: n };
}) });
describeMetricConformance(errorRate, { valid: [{}], invalid: [{ k: 1 }] });

const lineCounter = defineLogger({ id: 'line-counter', description: 'prints a line per epoch', options: z.strictObject({}), create: (_o, ctx) => ({ attach: (events$: Observable<AnnealEvent>) => events$.pipe(ofType('epoch:end')).subscribe((e) => ctx.io.out(`epoch ${e.epoch}`)) }) });
describeLoggerConformance(lineCounter, { valid: [{}], invalid: [{ verbose: true }] });

const threshold = definePruner({ id: 'threshold', description: 'prune a trial whose latest value is worse than a bound', options: z.strictObject({ bound: z.number() }), create: (o) => ({
  name: 'threshold',
  shouldPrune: (study: StudyView, t: FrozenTrial) => {
    const steps = Object.keys(t.intermediate).map(Number);
    if (!steps.length) return false;
    const v = t.intermediate[Math.max(...steps)]!;
    return Number.isNaN(v) || (study.direction === 'minimize' ? v > o.bound : v < -o.bound);
  },
}) });
describePrunerConformance(threshold, { valid: [{ bound: 1.2 }], invalid: [{}] });

// --- broken plugins: the suites say what is wrong ---------------------------------------------

describe('the conformance suites catch broken plugins', () => {
  it('descriptor contract: a non-kebab id, a schema that accepts an invalid option set, shared state between creates', async () => {
    let shared = 0;
    const bad = defineMetric({ id: 'Shared_Count', description: 'counts', options: z.looseObject({}), create: () => ({ name: 'n', update: () => void shared++, compute: () => shared, reset: () => void (shared = 0), state: () => [shared], restore: () => {} }) });
    const checks = descriptorContractChecks(bad, { kind: 'metric', valid: [{}], invalid: [{ extra: 1 }], create: (o) => bad.create(o as never, { path: '', build: () => undefined, classes: 3 }), independence: { use: (m) => m.update(undefined as never, undefined as never), observe: (m) => m.compute() } });
    expect((await failure(checks, 'kebab-case'))?.message).toMatch(/id 'Shared_Count' is not kebab-case/);
    expect((await failure(checks, 'rejects every invalid'))?.message).toMatch(/accepted invalid options \{"extra":1\}/);
    expect((await failure(checks, 'independent'))?.message).toMatch(/share state/);
  });

  it('callback: state kept outside state() makes a resumed run differ', async () => {
    const forgetful = defineCallback({ id: 'forgetful', description: 'warns at the 10th batch it sees', options: z.strictObject({}), create: () => {
      let seen = 0;
      return { key: 'forgetful', onBatchEnd: (_e, control) => void (++seen === 10 && control.warn('TENTH', 'tenth batch')), state: () => ({}), restore: () => {} };
    } });
    const checks = callbackConformanceChecks(forgetful, { valid: [{}], invalid: [] });
    expect((await failure(checks, 'killed mid-epoch'))?.message).toMatch(/events differ .*TENTH/);
    const nan = defineCallback({ id: 'nan-state', description: 'NaN in its state', options: z.strictObject({}), create: () => ({ key: 'nan-state', state: () => ({ best: NaN }), restore: () => {} }) });
    expect((await failure(callbackConformanceChecks(nan, { valid: [{}], invalid: [] }), 'plain JSON'))?.message).toMatch(/not plain JSON/);
  });

  it('metric: a mean of per-batch means is not batch-split invariant; a reset that keeps counts; a state that is not restored', async () => {
    let perBatch = (() => {
      let sum = 0;
      let batches = 0;
      return { name: 'mean_of_means', update: (l: { dims: number[] }) => void ((sum += l.dims[0]! % 5), batches++), compute: () => sum / batches, reset: () => void (batches = 0), state: () => [sum, batches], restore: () => {} };
    }) as () => never;
    const broken = defineMetric({ id: 'mean-of-means', description: 'averages per-batch values', options: z.strictObject({}), create: () => perBatch() });
    const checks = metricConformanceChecks(broken, { valid: [{}], invalid: [] });
    expect((await failure(checks, 'pieces'))?.message).toMatch(/pieces of \[/);
    expect(await failure(checks, 'reset()')).toBeDefined();
    expect((await failure(checks, 'restore()'))?.message).toMatch(/restored compute/);
    perBatch = undefined as never;
  });

  it('logger: throwing on an event type, writing to a payload, printing after unsubscribe', async () => {
    const throws = defineLogger({ id: 'throws', description: 'throws on batch:start', options: z.strictObject({}), create: () => ({ attach: (e$: Observable<AnnealEvent>) => e$.subscribe((e) => void (e.type === 'batch:start' && (() => { throw new Error('boom'); })())) }) });
    expect((await failure(loggerConformanceChecks(throws, { valid: [{}], invalid: [], settleMs: 20 }), 'every event type'))?.message).toMatch(/threw on an event.*boom/);
    const writes = defineLogger({ id: 'writes', description: 'marks payloads', options: z.strictObject({}), create: () => ({ attach: (e$: Observable<AnnealEvent>) => e$.subscribe((e) => void ((e as { seen?: boolean }).seen = true)) }) });
    expect((await failure(loggerConformanceChecks(writes, { valid: [{}], invalid: [], settleMs: 20 }), 'every event type'))?.message).toMatch(/frozen|read only|not extensible/i);
    const deaf = defineLogger({ id: 'deaf', description: 'ignores unsubscribe', options: z.strictObject({}), create: (_o, ctx) => ({ attach: (e$: Observable<AnnealEvent>) => (e$.subscribe((e) => ctx.io.out(e.type)), EMPTY.subscribe()) }) });
    expect((await failure(loggerConformanceChecks(deaf, { valid: [{}], invalid: [], settleMs: 20 }), 'after unsubscribing'))?.message).toMatch(/after unsubscribe/);
  });

  it('pruner: a hidden counter, a throw on NaN, pruning a trial without reports', async () => {
    const counting = definePruner({ id: 'counting', description: 'prunes every 7th question', options: z.strictObject({}), create: () => {
      let calls = 0;
      return { name: 'counting', shouldPrune: (_s: StudyView, t: FrozenTrial) => Object.keys(t.intermediate).length > 0 && ++calls % 7 === 0 };
    } });
    const checks = prunerConformanceChecks(counting, { valid: [{}], invalid: [] });
    expect((await failure(checks, 'pure function'))?.message).toMatch(/asked a second time|reverse order/);
    expect(await failure(checks, 'fresh instance')).toBeDefined();
    const nanHater = definePruner({ id: 'nan-hater', description: 'throws on NaN', options: z.strictObject({}), create: () => ({ name: 'nan-hater', shouldPrune: (_s: StudyView, t: FrozenTrial) => {
      if (Object.values(t.intermediate).some(Number.isNaN)) throw new Error('NaN report');
      return false;
    } }) });
    expect((await failure(prunerConformanceChecks(nanHater, { valid: [{}], invalid: [] }), 'boolean'))?.message).toMatch(/threw on '.*NaN/);
    const eager = definePruner({ id: 'eager', description: 'prunes everything', options: z.strictObject({}), create: () => ({ name: 'eager', shouldPrune: () => true }) });
    expect((await failure(prunerConformanceChecks(eager, { valid: [{}], invalid: [] }), 'reported nothing'))?.message).toMatch(/no report yet/);
    expect(await failure(prunerConformanceChecks(definePruner({ id: 'nop', description: 'never', options: z.strictObject({}), create: () => new NopPruner() }), { valid: [{}], invalid: [] }), 'pure function')).toBeUndefined();
  });
});
