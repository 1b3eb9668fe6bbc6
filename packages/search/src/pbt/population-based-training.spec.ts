import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisServerAvailable, startRedisServer } from '@anneal/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { JournalStorage } from '../storage/journal-storage.js';
import { MemoryStorage } from '../storage/memory-storage.js';
import { RedisStorage } from '../storage/redis-storage.js';
import type { Distribution, Storage } from '../types.js';
import { explore, truncationParents } from './pbt-explore.js';
import { pbtLineage, pbtSteps } from './pbt-record.js';
import { writePbtCharts } from './pbt-charts.js';
import { PopulationBasedTraining, type PbtRunOptions } from './population-based-training.js';
import { ToyMember } from './toy-member.test-support.js';

const dir = mkdtempSync(join(tmpdir(), 'anneal-pbt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const space: Record<string, Distribution> = { lr: { kind: 'float', low: 1e-3, high: 1.5, log: true }, batch: { kind: 'categorical', choices: [16, 32, 64] } };

const options = (storage: Storage, name: string): PbtRunOptions => ({
  name, storage, directory: join(dir, name), population: 6, generations: 6, direction: 'maximize', seed: 7, space, keepCheckpoints: name.includes('keep'),
  createMember: async (i) => new ToyMember(i),
});

describe('PBT decisions', () => {
  it('truncation: the bottom quantile copies members of the top quantile, deterministically', () => {
    expect(truncationParents([0.1, 0.9, 0.5, 0.7], 'maximize', 0.25, 1, 0)).toEqual([1, 1, 2, 3]);
    const p = truncationParents([5, 1, 4, 2, 3, 6, 0, 7], 'minimize', 0.25, 3, 2);
    // ranks: best 6 (0), 1 (1); worst 7 (7), 5 (6)
    expect([p[7], p[5]].every((x) => x === 6 || x === 1)).toBe(true);
    expect(p.filter((x, i) => x !== i)).toHaveLength(2);
    expect(truncationParents([5, 1, 4, 2, 3, 6, 0, 7], 'minimize', 0.25, 3, 2)).toEqual(p);
  });

  it('explore perturbs numbers by the factors (clamped, snapped) and moves categoricals to a neighbour', () => {
    const settings = { quantile: 0.25, perturbFactors: [0.8, 1.2], resampleProbability: 0 };
    let k = 0;
    const rand = () => [0.1, 0.9, 0.9][k++ % 3]!; // lr factor index 0.1 -> 0.8; batch: +1
    const out = explore({ lr: 0.5, batch: 32 }, space, settings, rand);
    expect(out.batch).toBe(64);
    expect([0.4, 0.6]).toContainEqual(Number((out.lr as number).toPrecision(12)));
    const clamped = explore({ lr: 1.4, batch: 64 }, space, { ...settings, perturbFactors: [1.2] }, () => 0.9);
    expect(clamped).toEqual({ lr: 1.5, batch: 64 });
  });
});

describe('PopulationBasedTraining', () => {
  it('improves on its initial population, records members, generations, lineage and schedules', async () => {
    const storage = new MemoryStorage();
    const result = await new PopulationBasedTraining(options(storage, 'toy')).run();
    expect(result.steps).toHaveLength(36);
    const first = result.steps.filter((s) => s.generation === 0).map((s) => s.score!);
    expect(result.best.score!).toBeGreaterThan(Math.max(...first));
    expect(result.steps.some((s) => s.exploited)).toBe(true);
    // every exploited interval started from its parent's previous checkpoint and explored its hyperparameters
    for (const s of result.steps.filter((x) => x.exploited)) expect(s.parent).not.toBe(s.member);
    expect(result.lineage.map((s) => s.generation)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(result.lineage.at(-1)).toMatchObject({ member: result.best.member, generation: 5 });
    for (let g = 1; g < 6; g++) expect(result.lineage[g - 1]!.member).toBe(result.lineage[g]!.parent);
    // only the last generation's checkpoints are kept
    expect(existsSync(join(dir, 'toy', 'member-0', 'generation-5.ckpt'))).toBe(true);
    expect(existsSync(join(dir, 'toy', 'member-0', 'generation-3.ckpt'))).toBe(false);
    const charts = await writePbtCharts(join(dir, 'toy-charts'), await storage.getTrials('toy'), space, 'maximize');
    expect(charts.map((p) => p.split('/').pop())).toEqual(['pbt-scores.svg', 'pbt-scores.png', 'pbt-lr.svg', 'pbt-lr.png']);
  });

  it('resumes an interrupted run exactly from the journal and the checkpoints', async () => {
    const whole = await new PopulationBasedTraining(options(new MemoryStorage(), 'whole-keep')).run();
    const file = join(dir, 'pbt.jsonl');
    ToyMember.crash = { member: 2, generation: 3 };
    await expect(new PopulationBasedTraining(options(new JournalStorage(file), 'resumed')).run()).rejects.toThrow(/simulated crash/);
    const resumed = await new PopulationBasedTraining(options(new JournalStorage(file), 'resumed')).run();
    const strip = (steps: typeof whole.steps) => steps.map(({ member, generation, parent, exploited, score, hyperparameters }) => ({ member, generation, parent, exploited, score, hyperparameters }));
    expect(strip(resumed.steps)).toEqual(strip(whole.steps));
    const trials = await new JournalStorage(file).getTrials('resumed');
    expect(trials.filter((t) => t.state === 'fail').map((t) => t.error)).toEqual(['interrupted; retrained on resume']);
    expect(pbtLineage(pbtSteps(trials), resumed.best.member, 5)).toEqual(resumed.lineage);
    await expect(new PopulationBasedTraining({ ...options(new JournalStorage(file), 'resumed'), population: 5 }).run()).rejects.toThrow(/same population/);
  });
});

describe.skipIf(!redisServerAvailable())('PopulationBasedTraining on Redis', () => {
  it('records the run in Redis and resumes it exactly after a crash', async () => {
    const server = await startRedisServer();
    const opened: RedisStorage[] = [];
    const connect = async () => {
      const s = await RedisStorage.connect(server.url, { prefix: 'pbt' });
      opened.push(s);
      return s;
    };
    try {
      const whole = await new PopulationBasedTraining(options(new MemoryStorage(), 'redis-reference')).run();
      ToyMember.crash = { member: 4, generation: 2 };
      await expect(new PopulationBasedTraining(options(await connect(), 'redis-run')).run()).rejects.toThrow(/simulated crash/);
      const resumed = await new PopulationBasedTraining(options(await connect(), 'redis-run')).run();
      // (+ 0: Redis keeps values as JSON, which has no -0)
      const key = (s: { member: number; generation: number; parent: number; score?: number }) => [s.member, s.generation, s.parent, s.score! + 0];
      expect(resumed.steps.map(key)).toEqual(whole.steps.map(key));
      expect(pbtSteps(await (await connect()).getTrials('redis-run'))).toHaveLength(36);
    } finally {
      for (const s of opened) await s.close();
      await server.stop();
    }
  });
});
