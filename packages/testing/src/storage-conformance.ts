import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SearchError, TrialStateError, type Distribution, type Storage, type StorageContext, type StorageDescriptor } from '@anneal/search';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from './conformance-utils.js';
import { descriptorContractChecks, noNestedSpecs, optionLabel, parseOptions } from './descriptor-contract.js';

const INT: Distribution = { kind: 'int', low: 0, high: 9 };
const LOG: Distribution = { kind: 'float', low: 1e-5, high: 1, log: true };

/** The suite on storages from `make` (a fresh, empty storage per test). */
function describeStorageChecks(name: string, make: () => Promise<{ storage: Storage; cleanup(): Promise<void> }>): void {
  describe(`${name} storage conformance`, () => {
    let cleanups: (() => Promise<void>)[] = [];
    const fresh = async (): Promise<Storage> => {
      const made = await make();
      cleanups.push(() => made.cleanup());
      return made.storage;
    };
    afterEach(async () => {
      for (const c of cleanups) await c();
      cleanups = [];
    });

    it('creates, loads and lists studies and refuses a direction mismatch', async () => {
      const s = await fresh();
      const created = await s.createStudy('a', 'maximize');
      expect(created).toMatchObject({ name: 'a', direction: 'maximize' });
      await expect(s.createStudy('a', 'maximize')).rejects.toBeInstanceOf(SearchError);
      expect(await s.createStudy('a', 'maximize', { loadIfExists: true })).toMatchObject({ name: 'a', direction: 'maximize' });
      const mismatch = s.createStudy('a', 'minimize', { loadIfExists: true });
      await expect(mismatch).rejects.toBeInstanceOf(SearchError);
      await expect(mismatch).rejects.toThrow(/direction/i);
      await s.createStudy('b', 'minimize');
      expect((await s.listStudies()).map((r) => r.name).sort()).toEqual(['a', 'b']);
      expect(await s.getStudy('nope')).toBeUndefined();
      await s.setStudyAttr('a', 'owner', { team: 'x' }, 'user');
      await s.setStudyAttr('a', 'grid', [1, 2], 'system');
      expect(await s.getStudy('a')).toMatchObject({ userAttrs: { owner: { team: 'x' } }, systemAttrs: { grid: [1, 2] } });
    });

    it('keeps the directions of a multi-objective study and the values of its trials', async () => {
      const s = await fresh();
      const created = await s.createStudy('mo', 'maximize', { directions: ['maximize', 'minimize'] });
      expect(created).toMatchObject({ name: 'mo', direction: 'maximize', directions: ['maximize', 'minimize'] });
      expect(await s.createStudy('mo', 'maximize', { loadIfExists: true, directions: ['maximize', 'minimize'] })).toMatchObject({ directions: ['maximize', 'minimize'] });
      await expect(s.createStudy('mo', 'maximize', { loadIfExists: true })).rejects.toThrow(/direction/i);
      await expect(s.createStudy('mo', 'maximize', { loadIfExists: true, directions: ['maximize', 'maximize'] })).rejects.toBeInstanceOf(SearchError);
      expect((await s.getStudy('mo'))?.directions).toEqual(['maximize', 'minimize']);
      expect((await s.createStudy('single', 'minimize')).directions).toBeUndefined();
      const t = await s.startTrial('mo', 'w');
      const done = await s.finishTrial(t.id, 'complete', { values: [0.25, 1 / 3] });
      expect(done.values).toEqual([0.25, 1 / 3]);
      expect(done.value).toBeUndefined();
      expect((await s.getTrials('mo', ['complete']))[0]!.values).toEqual([0.25, 1 / 3]);
    });

    it('numbers trials densely and uniquely under 50 concurrent startTrial calls', async () => {
      const s = await fresh();
      await s.createStudy('s', 'minimize');
      const started = await Promise.all(Array.from({ length: 50 }, (_, i) => s.startTrial('s', `w${i % 4}`)));
      expect(started.map((t) => t.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(new Set(started.map((t) => t.id)).size).toBe(50);
      for (const t of started) expect(t).toMatchObject({ state: 'running', params: {}, intermediate: {} });
      expect(started[7]!.worker).toBe('w3');
      expect((await s.getTrials('s')).map((t) => t.number)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    });

    it('claims waiting trials oldest first, each exactly once', async () => {
      const s = await fresh();
      await s.createStudy('e', 'minimize');
      const first = await s.enqueueTrial('e', { params: { k: 0 }, distributions: { k: INT } });
      expect(first.state).toBe('waiting');
      expect((await s.startTrial('e', 'w')).id).toBe(first.id);
      for (let i = 1; i <= 5; i++) await s.enqueueTrial('e', { params: { k: i }, distributions: { k: INT }, retryOf: i === 5 ? 0 : undefined });
      const claimed = await Promise.all(Array.from({ length: 8 }, (_, i) => s.startTrial('e', `w${i}`)));
      const fromQueue = claimed.filter((t) => t.params.k !== undefined);
      expect(fromQueue.map((t) => t.params.k).sort()).toEqual([1, 2, 3, 4, 5]);
      expect(fromQueue.every((t) => t.state === 'running' && t.distributions.k !== undefined)).toBe(true);
      expect(fromQueue.find((t) => t.params.k === 5)!.retryOf).toBe(0);
      expect(claimed.filter((t) => t.params.k === undefined)).toHaveLength(3);
      expect(await s.getTrials('e', ['waiting'])).toEqual([]);
      expect((await s.getTrials('e')).map((t) => t.number)).toEqual(Array.from({ length: 9 }, (_, i) => i));
    });

    it('claims waiting trials with claimWaitingTrial oldest first and exactly once, and answers undefined without creating a trial (when the storage has it)', async (ctx) => {
      const s = await fresh();
      if (!s.claimWaitingTrial) return ctx.skip();
      await s.createStudy('c', 'minimize');
      expect(await s.claimWaitingTrial('c', 'w')).toBeUndefined();
      expect(await s.getTrials('c')).toEqual([]);
      for (let i = 0; i < 4; i++) await s.enqueueTrial('c', { params: { k: i }, distributions: { k: INT }, systemAttrs: { tag: { i } } });
      const claimed = await Promise.all(Array.from({ length: 7 }, (_, i) => s.claimWaitingTrial!('c', `w${i}`)));
      const got = claimed.filter((t) => t !== undefined);
      expect(got.map((t) => t.params.k).sort()).toEqual([0, 1, 2, 3]);
      expect(got.every((t) => t.state === 'running' && t.worker?.startsWith('w') && t.distributions.k !== undefined)).toBe(true);
      expect(got.find((t) => t.params.k === 2)!.systemAttrs).toEqual({ tag: { i: 2 } });
      expect(claimed.filter((t) => t === undefined)).toHaveLength(3);
      expect((await s.getTrials('c')).map((t) => t.state)).toEqual(['running', 'running', 'running', 'running']);
      await s.enqueueTrial('c', { params: { k: 10 } });
      await s.enqueueTrial('c', { params: { k: 11 } });
      expect((await s.claimWaitingTrial('c', 'w'))?.params.k).toBe(10);
      expect((await s.startTrial('c', 'w')).params.k).toBe(11);
      expect(await s.claimWaitingTrial('c', 'w')).toBeUndefined();
      expect(await s.getTrials('c')).toHaveLength(6);
      await expect(s.claimWaitingTrial('no-such-study', 'w')).rejects.toBeInstanceOf(SearchError);
    });

    it('keeps parameters exact and refuses changing them', async () => {
      const s = await fresh();
      await s.createStudy('p', 'minimize');
      const t = await s.startTrial('p', 'w');
      await s.setParam(t.id, 'lr', LOG, 0.1 + 0.2);
      await s.setParam(t.id, 'lr', { kind: 'float', high: 1, low: 1e-5, log: true }, 0.1 + 0.2); // same value and distribution again: fine
      await expect(s.setParam(t.id, 'lr', LOG, 0.3)).rejects.toBeInstanceOf(TrialStateError);
      await expect(s.setParam(t.id, 'lr', { kind: 'float', low: 1e-4, high: 1, log: true }, 0.1 + 0.2)).rejects.toBeInstanceOf(TrialStateError);
      await s.setParam(t.id, 'opt', { kind: 'categorical', choices: ['sgd', null, true] }, null);
      const got = await s.getTrial(t.id);
      expect(got.params).toEqual({ lr: 0.1 + 0.2, opt: null });
      expect(got.distributions).toEqual({ lr: LOG, opt: { kind: 'categorical', choices: ['sgd', null, true] } });
    });

    it('finishes only running trials and keeps values, reports and attributes', async () => {
      const s = await fresh();
      await s.createStudy('f', 'minimize');
      const t = await s.startTrial('f', 'w');
      await s.reportIntermediate(t.id, 0, 1 / 3);
      await s.reportIntermediate(t.id, 2, 0.25);
      await s.setTrialAttr(t.id, 'path', 'ckpt/3.onnx', 'user');
      await s.setTrialAttr(t.id, 'bracket', 1, 'system');
      const done = await s.finishTrial(t.id, 'complete', { value: Math.PI / 7 });
      expect(done).toMatchObject({ state: 'complete', value: Math.PI / 7, intermediate: { 0: 1 / 3, 2: 0.25 }, userAttrs: { path: 'ckpt/3.onnx' }, systemAttrs: { bracket: 1 } });
      expect(done.completedAt).toBeGreaterThanOrEqual(done.startedAt!);
      await expect(s.finishTrial(t.id, 'fail')).rejects.toBeInstanceOf(TrialStateError);
      await expect(s.reportIntermediate(t.id, 3, 0)).rejects.toBeInstanceOf(TrialStateError);
      await expect(s.setParam(t.id, 'x', INT, 1)).rejects.toBeInstanceOf(TrialStateError);
      const waiting = await s.enqueueTrial('f', { params: { x: 1 } });
      await expect(s.finishTrial(waiting.id, 'complete', { value: 1 })).rejects.toBeInstanceOf(TrialStateError);
      expect((await s.getTrial(t.id)).state).toBe('complete');
      const failed = await s.finishTrial((await s.startTrial('f', 'w')).id, 'fail', { error: 'CUDA out of memory' });
      expect(failed).toMatchObject({ state: 'fail', error: 'CUDA out of memory', params: { x: 1 } });
    });

    it('orders and filters trials by state', async () => {
      const s = await fresh();
      await s.createStudy('o', 'minimize');
      const ts = [];
      for (let i = 0; i < 6; i++) ts.push(await s.startTrial('o', 'w'));
      await s.finishTrial(ts[4]!.id, 'complete', { value: 4 });
      await s.finishTrial(ts[1]!.id, 'pruned', { value: 1 });
      await s.finishTrial(ts[2]!.id, 'complete', { value: 2 });
      await s.finishTrial(ts[3]!.id, 'fail', { error: 'boom' });
      await s.enqueueTrial('o', { params: { x: 3 } });
      expect((await s.getTrials('o', ['complete'])).map((t) => t.number)).toEqual([2, 4]);
      expect((await s.getTrials('o', ['running'])).map((t) => t.number)).toEqual([0, 5]);
      expect((await s.getTrials('o', ['pruned', 'fail', 'waiting'])).map((t) => [t.number, t.state])).toEqual([[1, 'pruned'], [3, 'fail'], [6, 'waiting']]);
      expect((await s.getTrials('o')).map((t) => t.state)).toEqual(['running', 'pruned', 'complete', 'fail', 'complete', 'running', 'waiting']);
      expect(await s.getTrials('o', [])).toEqual([]);
    });

    it('fails stale trials and retries each exactly once, even when called concurrently', async () => {
      const s = await fresh();
      await s.createStudy('h', 'minimize');
      const dead = await s.startTrial('h', 'dead-worker');
      await s.setParam(dead.id, 'x', INT, 7);
      const alive = await s.startTrial('h', 'alive-worker');
      expect(await s.failStaleTrials('h', 10_000, { retry: true })).toEqual([]);
      await sleep(150);
      await s.heartbeat(alive.id);
      const calls = await Promise.all(Array.from({ length: 4 }, () => s.failStaleTrials('h', 100, { retry: true })));
      expect(calls.flat().map((t) => t.number)).toEqual([dead.number]);
      const failed = await s.getTrial(dead.id);
      expect(failed.state).toBe('fail');
      expect(failed.error).toMatch(/worker lost/);
      expect((await s.getTrial(alive.id)).state).toBe('running');
      const waiting = await s.getTrials('h', ['waiting']);
      expect(waiting).toHaveLength(1);
      expect(waiting[0]).toMatchObject({ retryOf: dead.number, params: { x: 7 }, distributions: { x: INT } });
      const [ra, rb] = await Promise.all([s.startTrial('h', 'w1'), s.startTrial('h', 'w2')]);
      expect([ra, rb].filter((t) => t.retryOf === dead.number)).toHaveLength(1);
      await expect(s.finishTrial(dead.id, 'complete', { value: 1 })).rejects.toBeInstanceOf(TrialStateError);
      // without retry: failed, nothing enqueued
      const late = await s.startTrial('h', 'w3');
      await sleep(150);
      await Promise.all([s.heartbeat(ra.id), s.heartbeat(rb.id), s.heartbeat(alive.id)]);
      expect((await s.failStaleTrials('h', 100)).map((t) => t.number)).toEqual([late.number]);
      expect(await s.getTrials('h', ['waiting'])).toEqual([]);
    });
  });
}

/** Inputs of {@link describeStorageConformance} for a descriptor. */
export interface StorageDescriptorCases {
  /** Option sets the schema must accept; the storage suite runs on each. */
  readonly valid: readonly unknown[];
  /** Option sets the schema must reject. */
  readonly invalid: readonly unknown[];
  /**
   * The options of the n-th storage made from an option set (default: the option set). Every
   * test needs an empty storage: storages that share studies across instances by option (a Redis
   * key prefix) get a fresh namespace here.
   */
  readonly fresh?: (options: unknown, n: number) => unknown;
}

/**
 * Declares vitest blocks that check a Storage against the behaviour every storage must have:
 * studies created, loaded and listed (a direction mismatch refused), dense and unique trial
 * numbers under 50 concurrent `startTrial` calls, waiting trials claimed oldest first and
 * exactly once (by `startTrial`, and by `claimWaitingTrial` when the storage implements that
 * optional method: undefined when none waits, no trial created), exact parameters that cannot change, only running trials finished (values,
 * reports and attributes kept), trials ordered and filtered by state, stale trials failed and
 * retried exactly once even when checked concurrently. `make` gives a fresh, empty storage per test.
 *
 * Given a descriptor instead, it also checks the plugin contract (kind, kebab-case id,
 * description, schema) and runs the storage suite on `descriptor.create(options, { dir })` for
 * every valid option set, `dir` a fresh temporary folder per storage (removed afterwards).
 * Two storages of one option set may share their studies by design (one journal file, one
 * Redis prefix), so instances are not compared.
 *
 * @example
 * ```ts
 * // my-storage.spec.ts
 * import { describeStorageConformance } from '@anneal/testing';
 * describeStorageConformance('MyStorage', async () => {
 *   const storage = await MyStorage.open(tmpPath());
 *   return { storage, cleanup: () => storage.close() };
 * });
 * describeStorageConformance(myStorageDescriptor, { valid: [{}, { path: 'studies.db' }], invalid: [{ path: '' }] });
 * ```
 */
export function describeStorageConformance(name: string, make: () => Promise<{ storage: Storage; cleanup(): Promise<void> }>): void;
export function describeStorageConformance<O>(descriptor: StorageDescriptor<O>, cases: StorageDescriptorCases): void;
export function describeStorageConformance<O>(target: string | StorageDescriptor<O>, second: (() => Promise<{ storage: Storage; cleanup(): Promise<void> }>) | StorageDescriptorCases): void {
  if (typeof target === 'string') return describeStorageChecks(target, second as () => Promise<{ storage: Storage; cleanup(): Promise<void> }>);
  const descriptor = target;
  const cases = second as StorageDescriptorCases;
  describe(`storage conformance: ${descriptor.id}`, () => {
    for (const check of descriptorContractChecks(descriptor, { kind: 'storage', valid: cases.valid, invalid: cases.invalid })) it(check.title, () => check.run());
    let made = 0;
    cases.valid.forEach((options, k) => {
      describeStorageChecks(optionLabel(options, k), async () => {
        const dir = mkdtempSync(join(tmpdir(), 'anneal-storage-'));
        const context: StorageContext = { path: 'storage', build: noNestedSpecs('storage'), dir };
        try {
          const storage = await descriptor.create(parseOptions(descriptor, cases.fresh ? cases.fresh(options, made++) : options), context);
          return { storage, cleanup: async () => (await storage.close(), rmSync(dir, { recursive: true, force: true })) };
        } catch (e) {
          rmSync(dir, { recursive: true, force: true });
          throw e;
        }
      });
    });
  });
}
