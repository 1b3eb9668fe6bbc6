import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisServerAvailable, startRedisServer } from '@anneal/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { JournalStorage } from '../storage/journal-storage.js';
import { MemoryStorage } from '../storage/memory-storage.js';
import { RedisStorage } from '../storage/redis-storage.js';
import type { Distribution, FrozenTrial, Storage } from '../types.js';
import { pbtAttr, pbtSteps } from './pbt-record.js';
import { PopulationBasedTraining, type PbtResult, type PbtRunOptions } from './population-based-training.js';
import { ToyMember } from './toy-member.test-support.js';

// Several runners (PopulationBasedTraining objects, each with its own storage connection, as
// processes would have) share one study and one checkpoint folder: the result is the one a single
// controller computes, and a runner that stops mid-generation leaves its interval to another.

const dir = mkdtempSync(join(tmpdir(), 'anneal-pbt-workers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const space: Record<string, Distribution> = { lr: { kind: 'float', low: 1e-3, high: 1.5, log: true }, batch: { kind: 'categorical', choices: [16, 32, 64] } };

/** The toy member, taking a few ms per interval so runners interleave. */
const slowMember = (i: number, hang?: (generation: number) => boolean) => new ToyMember(i, { delayMs: 3, hang });

const options = (storage: Storage, name: string, worker: string, extra: Partial<PbtRunOptions> = {}): PbtRunOptions => ({
  name, storage, worker, directory: join(dir, name), population: 6, generations: 5, direction: 'maximize', seed: 11, space,
  heartbeat: { intervalMs: 20, graceMs: 2000 }, createMember: async (i) => slowMember(i), ...extra,
});

const strip = (r: PbtResult) => ({
  steps: r.steps.map(({ member, generation, parent, exploited, score, hyperparameters }) => ({ member, generation, parent, exploited, score, hyperparameters })),
  best: [r.best.member, r.best.score],
  lineage: r.lineage.map((s) => [s.member, s.generation, s.parent, s.score]),
});

/** Every trial is an interval of the run; each interval has exactly one complete trial. */
function expectEachIntervalOnce(trials: readonly FrozenTrial[], population: number, generations: number): void {
  expect(trials.filter((t) => !pbtAttr(t)).map((t) => t.number)).toEqual([]);
  const complete = trials.filter((t) => t.state === 'complete').map((t) => `${pbtAttr(t)!.member}/${pbtAttr(t)!.generation}`);
  expect(complete.sort()).toEqual(Array.from({ length: population * generations }, (_, i) => `${Math.floor(i / generations)}/${i % generations}`).sort());
  expect(trials.filter((t) => t.state === 'running' || t.state === 'waiting')).toEqual([]);
}

const reference = await new PopulationBasedTraining(options(new MemoryStorage(), 'reference', 'solo')).run();

describe('PopulationBasedTraining across runners sharing a storage', () => {
  it('3 runners on one journal file (the controller and 2 workers started before it) end with the single controller\'s scores and lineage, each interval trained once', async () => {
    const file = join(dir, 'three.jsonl');
    const name = 'three';
    const steps: string[] = [];
    const onStep = (s: { member: number; generation: number }) => void steps.push(`${s.member}/${s.generation}`);
    const workers = ['w1', 'w2'].map((w) => new PopulationBasedTraining(options(new JournalStorage(file), name, w, { onStep })).work());
    await sleep(50); // the workers wait for the run to be started
    const result = await new PopulationBasedTraining(options(new JournalStorage(file), name, 'controller', { onStep })).run();
    await Promise.all(workers);
    expect(strip(result)).toEqual(strip(reference));
    expect(steps.sort()).toEqual(result.steps.map((s) => `${s.member}/${s.generation}`).sort()); // each finished once, by one runner
    const trials = await new JournalStorage(file).getTrials(name);
    expectEachIntervalOnce(trials, 6, 5);
    expect(trials.filter((t) => t.state === 'fail')).toEqual([]);
    const byWorker = new Map<string, number>();
    for (const t of trials) byWorker.set(t.worker!, (byWorker.get(t.worker!) ?? 0) + 1);
    expect(['controller', 'w1', 'w2']).toEqual(expect.arrayContaining([...byWorker.keys()]));
    expect(byWorker.size).toBeGreaterThan(1); // (all 3 in practice; which runner claims what is up to timing)
    // only the last generation's checkpoints are kept
    expect(existsSync(join(dir, name, 'member-0', 'generation-4.ckpt'))).toBe(true);
    expect(existsSync(join(dir, name, 'member-0', 'generation-3.ckpt'))).toBe(false);
    console.log(`3 runners: intervals per runner ${[...byWorker].map(([w, n]) => `${w} ${n}`).join(', ')}; best member ${result.best.member} score ${result.best.score}`);
  });

  it('a runner stopped in the middle of a generation (no heartbeats, no storage calls) leaves its interval to the other one, which retrains it after the grace: same result', async () => {
    const file = join(dir, 'stopped.jsonl');
    const name = 'stopped';
    let silent = false;
    const journal = new JournalStorage(file);
    // the stopped runner's storage: every call after the stop never answers (as a killed process's)
    const stoppable = new Proxy(journal, {
      get: (target, key) => {
        const v = Reflect.get(target, key) as unknown;
        return typeof v === 'function' ? (...args: unknown[]) => (silent ? new Promise(() => {}) : (v as (...a: unknown[]) => unknown).apply(target, args)) : v;
      },
    });
    let stoppedAt = 0;
    // the stopped runner trains an interval of generation 0, then stops in the first interval of generation 1 it claims; the other one trains the rest
    let trainedOne!: () => void;
    let stopped!: () => void;
    const gates = [new Promise<void>((r) => (trainedOne = r)), new Promise<void>((r) => (stopped = r))];
    const hang = (generation: number) => generation >= 1 && !silent && ((silent = true), (stoppedAt = Date.now()), stopped(), true);
    const first = async (i: number) => {
      const m = slowMember(i, hang);
      const train = m.train.bind(m);
      m.train = () => train().finally(trainedOne);
      return m;
    };
    void new PopulationBasedTraining(options(stoppable, name, 'stopped', { createMember: first })).run();
    // (the other runner waits in generation 0 until the first trained an interval, after it until the first stopped: both take part whatever the timing)
    const second = async (i: number) => {
      const m = slowMember(i);
      const train = m.train.bind(m);
      m.train = async () => (await gates[Math.min(1, m.steps / 3)], train());
      return m;
    };
    const lines: string[] = [];
    const other = new PopulationBasedTraining(options(new JournalStorage(file), name, 'survivor', { heartbeat: { intervalMs: 20, graceMs: 1000 }, log: (l) => lines.push(l), createMember: second }));
    await other.work();
    const result = await other.result();
    expect(strip(result)).toEqual(strip(reference));
    expect(stoppedAt).toBeGreaterThan(0);
    expect(Date.now() - stoppedAt).toBeGreaterThan(1000);
    const trials = await new JournalStorage(file).getTrials(name);
    expectEachIntervalOnce(trials, 6, 5);
    const failed = trials.filter((t) => t.state === 'fail');
    expect(failed.map((t) => t.worker)).toEqual(['stopped']);
    expect(failed[0]!.error).toMatch(/worker lost/);
    const { member, generation } = pbtAttr(failed[0]!)!;
    const retry = trials.find((t) => t.retryOf === failed[0]!.number)!;
    expect(retry).toMatchObject({ state: 'complete', worker: 'survivor', params: failed[0]!.params });
    expect(pbtAttr(retry)).toEqual(pbtAttr(failed[0]!));
    expect(lines).toContainEqual(`member ${member}, generation ${generation} (trial ${failed[0]!.number}): its worker stopped sent no heartbeat for 1000 ms; failed and enqueued again`);
    // the generation it stopped in had intervals trained by both runners
    const ofGeneration = trials.filter((t) => t.state === 'complete' && pbtAttr(t)!.generation === generation);
    expect(ofGeneration.some((t) => t.worker === 'survivor')).toBe(true);
    expect(trials.filter((t) => t.worker === 'stopped' && t.state === 'complete').length).toBeGreaterThan(0);
    console.log(`stopped runner: stopped in member ${member}, generation ${generation} after ${trials.filter((t) => t.worker === 'stopped' && t.state === 'complete').length} intervals; retrained by the survivor ${Date.now() - stoppedAt} ms later at the latest`);
  });

  it('a runner lost after it enqueued the next generation but before it finished its coordinating interval: the retry keeps its recorded score without training it again', async () => {
    const file = join(dir, 'coordinator.jsonl');
    const name = 'coordinator';
    const journal = new JournalStorage(file);
    let silent = false;
    // silent from the moment it finishes the last member's interval of generation 1 (the next generation is enqueued by then)
    const lost = new Proxy(journal, {
      get: (target, key) => {
        const v = Reflect.get(target, key) as (...a: unknown[]) => Promise<unknown>;
        if (typeof v !== 'function') return v;
        return async (...args: unknown[]) => {
          if (!silent && key === 'finishTrial' && pbtAttr(await target.getTrial(args[0] as string))?.member === 5 && pbtAttr(await target.getTrial(args[0] as string))?.generation === 1) silent = true;
          return silent ? new Promise(() => {}) : v.apply(target, args);
        };
      },
    });
    void new PopulationBasedTraining(options(lost, name, 'lost')).run();
    while (!silent) await sleep(10);
    const trained: string[] = [];
    const survivor = new PopulationBasedTraining(
      options(new JournalStorage(file), name, 'survivor', {
        heartbeat: { intervalMs: 20, graceMs: 1000 },
        createMember: async (i) => {
          const m = slowMember(i);
          const train = m.train.bind(m);
          m.train = () => (trained.push(`${i}/${m.steps / 3}`), train());
          return m;
        },
      }),
    );
    await survivor.work();
    expect(strip(await survivor.result())).toEqual(strip(reference));
    const trials = await journal.getTrials(name);
    expectEachIntervalOnce(trials, 6, 5);
    const failed = trials.filter((t) => t.state === 'fail');
    expect(failed.map((t) => [t.worker, pbtAttr(t)!.member, pbtAttr(t)!.generation, t.intermediate[1]])).toEqual([['lost', 5, 1, reference.steps.find((x) => x.member === 5 && x.generation === 1)!.score]]);
    expect(trials.find((t) => t.retryOf === failed[0]!.number)).toMatchObject({ state: 'complete', worker: 'survivor' });
    expect(trained).not.toContain('5/1');
  });

  it('works on a storage without claimWaitingTrial (a third-party one) in one process: same result, no trial of its own', async () => {
    const memory = new MemoryStorage();
    const plain = new Proxy(memory, { get: (target, key) => (key === 'claimWaitingTrial' ? undefined : (Reflect.get(target, key) as unknown)) }) as Storage;
    expect(plain.claimWaitingTrial).toBeUndefined();
    const result = await new PopulationBasedTraining(options(plain, 'plain', 'solo', { concurrency: 3 })).run();
    expect(strip(result)).toEqual(strip(reference));
    expectEachIntervalOnce(await memory.getTrials('plain'), 6, 5);
  });
});

describe.skipIf(!redisServerAvailable())('PopulationBasedTraining runners on Redis', () => {
  it('2 runners on one Redis server end with the single controller\'s result, each interval once', async () => {
    const server = await startRedisServer();
    const opened: RedisStorage[] = [];
    const connect = async () => {
      const s = await RedisStorage.connect(server.url, { prefix: 'pbt-workers' });
      opened.push(s);
      return s;
    };
    try {
      const worker = new PopulationBasedTraining(options(await connect(), 'redis', 'w1')).work();
      const result = await new PopulationBasedTraining(options(await connect(), 'redis', 'controller')).run();
      await worker;
      // (+ 0: Redis keeps values as JSON, which has no -0)
      const key = (s: { member: number; generation: number; parent: number; score?: number }) => [s.member, s.generation, s.parent, s.score! + 0];
      expect(result.steps.map(key)).toEqual(reference.steps.map(key));
      const trials = await (await connect()).getTrials('redis');
      expectEachIntervalOnce(trials, 6, 5);
      expect(['w1', 'controller']).toEqual(expect.arrayContaining([...new Set(trials.map((t) => t.worker!))]));
      console.log(`2 runners on Redis: intervals per runner ${['controller', 'w1'].map((w) => `${w} ${trials.filter((t) => t.worker === w).length}`).join(', ')}`);
      expect(pbtSteps(trials)).toHaveLength(30);
    } finally {
      for (const s of opened) await s.close();
      await server.stop();
    }
  });
});
