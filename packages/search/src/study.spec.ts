import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DistributionError, SearchError, TrialPruned, TrialStateError } from './errors.js';
import { RandomSampler } from './samplers/random-sampler.js';
import { GridSampler } from './samplers/grid-sampler.js';
import { JournalStorage } from './storage/journal-storage.js';
import { MemoryStorage } from './storage/memory-storage.js';
import { createStudy, type StudyOptions } from './study.js';
import type { Trial } from './trial.js';
import type { Distribution, FrozenTrial, ParamValue, Pruner, Sampler, StudyView } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'anneal-study-'));
let files = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const storages = [
  ['memory', () => new MemoryStorage()],
  ['journal', () => new JournalStorage(join(dir, `s${files++}.jsonl`))],
] as const;

const quadratic = (t: Trial) => (t.suggestFloat('x', -10, 10) - 2) ** 2 + (t.suggestFloat('y', -10, 10) + 1) ** 2;

describe.each(storages)('Study on the %s storage', (_kind, makeStorage) => {
  const study = (name: string, options: StudyOptions & { loadIfExists?: boolean } = {}) => createStudy(name, { storage: makeStorage(), ...options });

  it('optimizes a shifted quadratic with the seeded random sampler, reproducibly', async () => {
    const runs = await Promise.all([3, 3, 4].map(async (seed) => {
      const s = await study('quad', { seed });
      await s.optimize(quadratic, { nTrials: 200 });
      const trials = await s.trials();
      const best = await s.bestTrial();
      await s.close();
      return { trials, best };
    }));
    const [a, b, c] = runs as [(typeof runs)[0], (typeof runs)[0], (typeof runs)[0]];
    expect(a.trials.map((t) => t.number)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(a.trials.every((t) => t.state === 'complete' && t.value === (Number(t.params.x) - 2) ** 2 + (Number(t.params.y) + 1) ** 2)).toBe(true);
    expect(a.best!.value).toBe(Math.min(...a.trials.map((t) => t.value!)));
    expect(a.best!.value).toBeLessThan(5);
    expect(b.trials.map((t) => t.params)).toEqual(a.trials.map((t) => t.params));
    expect(c.trials.map((t) => t.params)).not.toEqual(a.trials.map((t) => t.params));
    expect(a.trials[0]!.distributions).toEqual({ x: { kind: 'float', low: -10, high: 10 }, y: { kind: 'float', low: -10, high: 10 } });
  });

  it('runs an ask/tell loop, by Trial or by number', async () => {
    const s = await study('asktell', { direction: 'maximize', seed: 1 });
    for (let i = 0; i < 6; i++) {
      const t = await s.ask();
      const n = t.suggestInt('n', 0, 100, { step: 5 });
      expect(t.suggestInt('n', 0, 100, { step: 5 })).toBe(n); // same name, same value
      expect(() => t.suggestInt('n', 0, 100)).toThrow(TrialStateError);
      const done = await s.tell(i % 2 ? t.number : t, -Math.abs(n - 50));
      expect(done).toMatchObject({ number: i, state: 'complete', value: -Math.abs(n - 50), params: { n }, worker: s.worker });
      expect(() => t.suggestFloat('late', 0, 1)).toThrow(/already been told/);
      await expect(s.tell(t, 0)).rejects.toBeInstanceOf(TrialStateError);
    }
    const best = (await s.bestTrial())!;
    expect(best.value).toBe(Math.max(...(await s.trials()).map((t) => t.value!)));
    await expect(s.tell(99, 1)).rejects.toThrow(/has no trial 99/);
    await s.close();
  });

  it('returns enqueued and fixed parameters as given, checked against the distribution', async () => {
    const s = await study('enq', { seed: 2 });
    await s.enqueue({ lr: 0.01, opt: 'adam', unused: 7 });
    await s.enqueue({ lr: 5 });
    const t = await s.ask();
    expect([t.suggestFloat('lr', 1e-4, 1, { log: true }), t.suggestCategorical('opt', ['sgd', 'adam'])]).toEqual([0.01, 'adam']);
    const done = await s.tell(t, 1);
    expect(done.params).toEqual({ lr: 0.01, opt: 'adam', unused: 7 });
    const bad = await s.ask();
    expect(() => bad.suggestFloat('lr', 1e-4, 1, { log: true })).toThrow(DistributionError);
    await s.tell(bad, { state: 'fail', error: 'bad enqueued value' });
    const fixed = await s.ask({ width: 64 });
    expect(fixed.suggestInt('width', 8, 128, { step: 8 })).toBe(64);
    const width = await s.tell(fixed, 0);
    expect(width.params).toEqual({ width: 64 });
    await s.close();
  });

  it('records conditional parameters only where the code asked for them', async () => {
    const s = await study('cond', { seed: 5 });
    await s.optimize((t) => {
      const opt = t.suggestCategorical('optimizer', ['sgd', 'adam']);
      if (opt === 'sgd') return t.suggestFloat('momentum', 0, 0.99);
      return t.suggestFloat('beta2', 0.9, 0.9999) + t.suggestInt('warmup', 0, 0); // a single-value range needs no sampling
    }, { nTrials: 30 });
    const trials = await s.trials();
    for (const t of trials) expect(Object.keys(t.params).sort()).toEqual(t.params.optimizer === 'sgd' ? ['momentum', 'optimizer'] : ['beta2', 'optimizer', 'warmup']);
    expect(new Set(trials.map((t) => t.params.optimizer))).toEqual(new Set(['sgd', 'adam']));
    expect(trials.filter((t) => t.params.warmup !== undefined).every((t) => t.params.warmup === 0)).toBe(true);
    await s.close();
  });

  it('records pruned and failed trials with their state and error', async () => {
    const pruner: Pruner = { name: 'above-one', shouldPrune: (view, trial) => view.trials.length > 0 && Object.values(trial.intermediate).at(-1)! > 1 };
    const s = await study('states', { seed: 9, pruner });
    const seen: FrozenTrial[] = [];
    await s.optimize(async (t) => {
      const kind = t.number % 5;
      if (kind === 1) throw new Error(`diverged at trial ${t.number}`);
      if (kind === 2) return Number.NaN;
      if (kind === 3) return 'oops' as unknown as number;
      await t.report(0.5, 0);
      expect(await t.shouldPrune()).toBe(false);
      await t.report(kind === 4 ? 3 : 0.25, 1);
      if (await t.shouldPrune()) throw new TrialPruned(1);
      await t.setUserAttr('epochs', 2);
      return 0.25;
    }, { nTrials: 10, onTrialEnd: (t) => seen.push(t) });
    const trials = await s.trials();
    expect(seen.map((t) => t.number).sort((a, b) => a - b)).toEqual(trials.map((t) => t.number));
    expect(trials.map((t) => t.state)).toEqual(['complete', 'fail', 'fail', 'fail', 'pruned', 'complete', 'fail', 'fail', 'fail', 'pruned']);
    expect(trials[1]!.error).toBe('diverged at trial 1');
    expect(trials[2]!.error).toMatch(/NaN/);
    expect(trials[3]!.error).toMatch(/returned string "oops", expected a number/);
    expect(trials[4]).toMatchObject({ value: 3, intermediate: { 0: 0.5, 1: 3 } });
    expect(trials[0]).toMatchObject({ value: 0.25, userAttrs: { epochs: 2 } });
    await expect(s.optimize(() => {
      throw new RangeError('stop here');
    }, { nTrials: 3, catch: false })).rejects.toThrow('stop here');
    expect((await s.trials()).at(-1)).toMatchObject({ number: 10, state: 'fail', error: 'stop here' });
    await s.close();
  });

  it('picks the best trial by direction and counts nTrials per call with concurrency', async () => {
    for (const direction of ['minimize', 'maximize'] as const) {
      const s = await study(`dir-${direction}`, { direction, seed: 11 });
      await s.optimize(async (t) => {
        const x = t.suggestInt('x', -20, 20);
        await new Promise((r) => setTimeout(r, 1));
        return x;
      }, { nTrials: 12, concurrency: 4 });
      await s.optimize((t) => t.suggestInt('x', -20, 20), { nTrials: 3 });
      const values = (await s.trials(['complete'])).map((t) => t.value!);
      expect(values).toHaveLength(15);
      expect((await s.bestTrial())!.value).toBe(direction === 'minimize' ? Math.min(...values) : Math.max(...values));
      await s.close();
    }
  });

  it('stops starting trials after timeoutMs', async () => {
    const s = await study('timeout', { seed: 1 });
    const start = Date.now();
    await s.optimize(async () => {
      await new Promise((r) => setTimeout(r, 20));
      return 0;
    }, { timeoutMs: 100 });
    expect(Date.now() - start).toBeLessThan(400);
    const n = (await s.trials()).length;
    expect(n).toBeGreaterThanOrEqual(2);
    expect(n).toBeLessThanOrEqual(6);
    await expect(s.optimize(() => 0, {})).rejects.toBeInstanceOf(SearchError);
    await s.close();
  });

  it('resumes a stored study and keeps numbering', async () => {
    const storage = makeStorage();
    const first = await createStudy('resume', { storage, direction: 'maximize', seed: 1 });
    await first.optimize(quadratic, { nTrials: 3 });
    const again = await createStudy('resume', { storage, loadIfExists: true, seed: 1 });
    expect(again.direction).toBe('maximize');
    await again.optimize(quadratic, { nTrials: 2 });
    expect((await again.trials()).map((t) => t.number)).toEqual([0, 1, 2, 3, 4]);
    await expect(createStudy('resume', { storage })).rejects.toBeInstanceOf(SearchError);
    await again.close();
  });
});

describe('Study sampling', () => {
  it('uses the relative sample for the names it covers and independent sampling for the rest', async () => {
    const calls: string[] = [];
    const sampler: Sampler = {
      name: 'half-relative',
      inferRelativeSpace: (_s: StudyView, _t: FrozenTrial) => ({ a: { kind: 'int', low: 0, high: 9 } }),
      sampleRelative: (_s, t, space: Record<string, Distribution>) => ({ a: t.number % 10, ignored: Object.keys(space).length }),
      sampleIndependent: (_s, t, name, d): ParamValue => {
        calls.push(`${t.number}:${name}:${Object.keys(t.params).join(',')}`);
        return d.kind === 'categorical' ? d.choices[0]! : d.low;
      },
    };
    const s = await createStudy('rel', { sampler });
    await s.optimize((t) => t.suggestInt('a', 0, 9) + t.suggestInt('b', 3, 9) + t.suggestInt('a2', 0, 9, { step: 3 }), { nTrials: 3 });
    expect((await s.trials()).map((t) => t.params)).toEqual([0, 1, 2].map((n) => ({ a: n, b: 3, a2: 0 })));
    expect(calls).toEqual(['0:b:a', '0:a2:a,b', '1:b:a', '1:a2:a,b', '2:b:a', '2:a2:a,b']);
    // a faulty sampler is named
    const liar: Sampler = { name: 'liar', sampleIndependent: () => 42 };
    const bad = await createStudy('liar', { sampler: liar });
    const t = await bad.ask();
    expect(() => t.suggestFloat('x', 0, 1)).toThrow(/sampler 'liar' returned 42, outside float \[0, 1\]/);
    expect(() => t.suggestCategorical('c', [])).toThrow(DistributionError);
  });

  it('refuses heartbeat options that would declare busy workers lost', async () => {
    await expect(createStudy('hb', { heartbeat: { intervalMs: 100, graceMs: 50 } })).rejects.toThrow(/graceMs > intervalMs/);
    expect(new RandomSampler({ seed: 1 }).name).toBe('random');
  });
});

describe('optimize with a grid', () => {
  it('stops when the grid sampler is exhausted', async () => {
    const sampler = new GridSampler({ x: [1, 2, 3], y: ['a', 'b'] });
    const study = await createStudy('grid-stop', { sampler });
    const seen: string[] = [];
    await study.optimize((t) => {
      seen.push(`${t.suggestInt('x', 1, 3)}${t.suggestCategorical('y', ['a', 'b'])}`);
      return 0;
    }, { nTrials: 20 });
    expect(seen.sort()).toEqual(['1a', '1b', '2a', '2b', '3a', '3b']);
  });
});

describe('multi-objective studies', () => {
  const biObjective = (t: Trial): number[] => {
    const x = t.suggestFloat('x', 0, 1);
    return [x, (1 - x) ** 2];
  };

  it('records one value per direction, gives the Pareto front and refuses a single best trial', async () => {
    for (const storage of [new MemoryStorage(), new JournalStorage(join(dir, `mo${files++}.jsonl`))]) {
      const s = await createStudy('mo', { storage, directions: ['minimize', 'minimize'], seed: 2 });
      expect(s.directions).toEqual(['minimize', 'minimize']);
      await s.optimize(biObjective, { nTrials: 20 });
      const trials = await s.trials(['complete']);
      expect(trials).toHaveLength(20);
      expect(trials.every((t) => t.values!.length === 2 && t.value === undefined)).toBe(true);
      // x and (1-x)^2 trade off strictly on [0, 1]: every trial is on the front
      expect((await s.bestTrials()).map((t) => t.number)).toEqual(trials.map((t) => t.number));
      await expect(s.bestTrial()).rejects.toThrow(/bestTrials/);
      // an objective returning the wrong shape fails its trial; tell with the wrong count throws
      await s.optimize(() => 1, { nTrials: 1 });
      expect((await s.trials(['fail']))[0]!.error).toMatch(/expected an array of 2 numbers/);
      const t = await s.ask();
      await expect(s.tell(t, 1)).rejects.toThrow(/told 1 value\(s\) but the study has 2 objective/);
      await s.tell(t, [2, 2]);
      const pruned = await createStudy('mo-pruned', { directions: ['minimize', 'maximize'], pruner: { name: 'never', shouldPrune: () => false } });
      const pt = await pruned.ask();
      await expect(pt.shouldPrune()).rejects.toThrow(/pruners rank one objective/);
      const again = await createStudy('mo', { storage, loadIfExists: true });
      expect(again.directions).toEqual(['minimize', 'minimize']);
      await s.close();
    }
  });

  it('keeps single-objective studies as they were: bestTrials is the best trial', async () => {
    const s = await createStudy('single', { seed: 1 });
    await s.optimize(quadratic, { nTrials: 10 });
    expect((await s.bestTrials()).map((t) => t.number)).toEqual([(await s.bestTrial())!.number]);
    expect(s.directions).toEqual(['minimize']);
  });
});
