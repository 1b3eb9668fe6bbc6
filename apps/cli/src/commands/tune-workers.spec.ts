import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisStorage, type FrozenTrial } from '@anneal/search';
import { redisServerAvailable, startRedisServer, type RedisServer } from '@anneal/testing';
import { spawnCli, type SpawnedCli } from '../spawn-cli.js';

// Real `anneal tune --parallel 3` processes on a real redis-server: a worker paused past the
// heartbeat grace, Redis outages with and without persistence, an outage past the retry bound.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A tune config over a tiny MNIST MLP (2-3 s a trial here), `trials` budget, 250 ms heartbeats. */
function tuneConfig(dir: string, name: string, trials: number, graceMs: number, storage = ''): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
base:
  data: { source: { kind: mnist, perDigit: 40 }, split: { test: 0.2, val: 0.2, seed: 0, stratify: true }, batchSize: 32 }
  model: { kind: mlp, hidden: [16] }
  optimizer: { type: adam, lr: 0.001 }
  train: { epochs: 4, threads: 1 }
space:
  optimizer.lr: { type: float, low: 1.0e-3, high: 0.03, log: true }
trials: ${trials}
sampler: { type: random, seed: 5 }
pruner: { type: none }
heartbeat: { intervalMs: 250, graceMs: ${graceMs} }
${storage}`,
  );
  return file;
}

/** `anneal tune <config> --parallel 3` on `redis` (unless the config names its storage), and a storage to watch the study. */
async function startTune(redis: RedisServer, config: string, out: string, storageFlag = true): Promise<{ cli: SpawnedCli; watch: RedisStorage }> {
  const cli = spawnCli(['tune', config, ...(storageFlag ? ['--storage', redis.url] : []), '--parallel', '3', '--out', out]);
  return { cli, watch: await RedisStorage.connect(redis.url, { retry: { maxMs: 60_000 } }) };
}

/** Polls the study until `when` holds for its trials (undefined after `ms`). */
async function waitFor(watch: RedisStorage, study: string, when: (trials: FrozenTrial[]) => boolean, ms = 60_000): Promise<FrozenTrial[] | undefined> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) {
    const trials = await watch.getTrials(study).catch(() => [] as FrozenTrial[]);
    if (trials.length && when(trials)) return trials;
  }
  return undefined;
}

/** The study at the end: dense numbers (each once), nothing left running or waiting, `budget` complete. */
function expectExactBudget(trials: FrozenTrial[], budget: number): void {
  expect(trials.map((t) => t.number)).toEqual(trials.map((_, i) => i));
  expect(trials.filter((t) => t.state === 'running' || t.state === 'waiting')).toEqual([]);
  expect(trials.filter((t) => t.state === 'complete')).toHaveLength(budget);
}

/** The study's summary.json (written by the parent after its workers). */
const summary = (dir: string) => JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8')) as { trials: Record<string, number> };

/** The trial numbers the workers logged as finished ('trial 7: optimizer.lr=... -> val.accuracy ...'), each should appear once. */
const loggedTrials = (stderr: string) => [...stderr.matchAll(/^trial (\d+): \S+ -> /gm)].map((m) => Number(m[1]));

describe.skipIf(!redisServerAvailable())('anneal tune workers survive', () => {
  it('a worker SIGSTOPped for twice the heartbeat grace then SIGCONTed drops its trial (failed and retried by the others) and goes on: exit 0, exact budget', async () => {
    const redis = await startRedisServer();
    const dir = mkdtempSync(join(tmpdir(), 'tune-paused-'));
    const { cli, watch } = await startTune(redis, tuneConfig(dir, 'paused', 9, 5000), join(dir, 'out'));
    let victim: number | undefined;
    try {
      const running = await waitFor(watch, 'paused', (ts) => ts.some((t) => t.state === 'running' && Object.keys(t.params).length > 0));
      const trial = running?.find((t) => t.state === 'running' && Object.keys(t.params).length > 0);
      expect(trial, 'no worker started a trial').toBeDefined();
      victim = Number(trial!.worker!.split(':').at(-2));
      process.kill(victim, 'SIGSTOP');
      // paused for twice the grace (5 s: live workers' timers run late on a loaded 2-core machine): another worker fails the silent trial and retries it
      await sleep(10_000);
      const retried = await watch.getTrials('paused');
      process.kill(victim, 'SIGCONT');
      expect(retried.find((t) => t.number === trial!.number)?.state, 'the paused trial was not failed while its worker was paused').toBe('fail');
      const code = await cli.done;
      const err = cli.stderr();
      expect(code, err).toBe(0);
      expect(err).not.toMatch(/exited with an error/); // all 3 workers ended with 0
      expect(err).toMatch(new RegExp(`trial ${trial!.number}: dropped, this worker was silent longer than the heartbeat grace \\(5000 ms\\)`));
      const trials = await watch.getTrials('paused');
      expectExactBudget(trials, 9);
      const failed = trials.filter((t) => t.state === 'fail' && !t.error?.startsWith('not run: '));
      expect(failed.map((t) => t.number)).toEqual([trial!.number]);
      expect(failed[0]!.error).toMatch(/worker lost/);
      expect(trials.filter((t) => t.retryOf !== undefined).map((t) => [t.retryOf, t.state, t.params])).toEqual([[trial!.number, 'complete', trial!.params]]);
      const logged = loggedTrials(err);
      expect(new Set(logged).size).toBe(logged.length); // no trial finished twice
      expect(logged.sort((a, b) => a - b)).toEqual(trials.filter((t) => t.state === 'complete').map((t) => t.number));
      expect(summary(dir).trials).toEqual({ complete: 9, pruned: 0, fail: 1, running: 0, waiting: 0 });
    } finally {
      if (victim) { try { process.kill(victim, 'SIGCONT'); } catch { /* exited */ } }
      cli.kill();
      await watch.close();
      await redis.stop();
    }
  }, 240_000);

  it('Redis killed for 1.5 s and for 6 s, restarted with its data: every worker waits it out, exit 0, 0 lost or duplicated trials, exact budget', async () => {
    const redis = await startRedisServer({ persist: true });
    const dir = mkdtempSync(join(tmpdir(), 'tune-outage-'));
    const { cli, watch } = await startTune(redis, tuneConfig(dir, 'outage', 15, 5000), join(dir, 'out'));
    try {
      const outage = async (after: number, ms: number) => {
        const before = await waitFor(watch, 'outage', (ts) => ts.filter((t) => t.state === 'complete').length >= after && ts.some((t) => t.state === 'running'));
        expect(before, `the study never reached ${after} complete trials`).toBeDefined();
        await redis.down('SIGKILL');
        await sleep(ms);
        await redis.up();
      };
      await outage(2, 1500);
      await outage(6, 6000);
      const code = await cli.done;
      const err = cli.stderr();
      expect(code, err).toBe(0);
      expect(err).not.toMatch(/exited with an error|anneal tune worker:/);
      const trials = await watch.getTrials('outage');
      expectExactBudget(trials, 15);
      // 0 lost: no trial was failed (trials asked beyond the budget at the same moment are given back unrun)
      expect(trials.filter((t) => t.state === 'fail' && !t.error?.startsWith('not run: '))).toEqual([]);
      const logged = loggedTrials(err);
      expect(logged.sort((a, b) => a - b)).toEqual(trials.filter((t) => t.state === 'complete').map((t) => t.number));
      expect(summary(dir).trials).toEqual({ complete: 15, pruned: 0, fail: 0, running: 0, waiting: 0 });
    } finally {
      cli.kill();
      await watch.close();
      await redis.stop();
    }
  }, 240_000);

  it('Redis restarted without persistence: the workers and the parent exit 1 saying the study is lost (StudyLostError), never "0 complete"', async () => {
    const redis = await startRedisServer();
    const dir = mkdtempSync(join(tmpdir(), 'tune-lost-'));
    const { cli, watch } = await startTune(redis, tuneConfig(dir, 'lost', 12, 3000), join(dir, 'out'));
    try {
      // every worker has the study (a worker that first reached Redis after the loss would create it again, and the others would say it was lost)
      expect(await waitFor(watch, 'lost', (ts) => ts.some((t) => t.state === 'complete') && new Set(ts.map((t) => t.worker)).size === 3)).toBeDefined();
      await redis.down('SIGKILL');
      await redis.up();
      const code = await cli.done;
      const err = cli.stderr();
      expect(code, err).toBe(1);
      expect(err.match(/^anneal tune worker: StudyLostError: redis:\/\/127\.0\.0\.1:\d+: \w+\('lost[#'].*study 'lost' is gone from this Redis server, which lost its data \(restarted without persistence/gm), err).toHaveLength(3);
      expect(err).toMatch(/^anneal: PipelineError: all 3 worker processes exited with an error \(3 x StudyLostError; the first: StudyLostError: .*study 'lost' is gone from this Redis server.*\); the study 'lost' in redis:\/\/127\.0\.0\.1:\d+ did not reach its 12 trials; the study cannot be resumed from this storage/m);
      expect(existsSync(join(dir, 'out', 'summary.json'))).toBe(false); // no report of an empty study
      expect(await watch.listStudies()).toEqual([]); // not recreated
    } finally {
      cli.kill();
      await watch.close();
      await redis.stop();
    }
  }, 240_000);

  it('Redis down longer than the storage retry.maxMs: the workers and the parent exit 1 with StorageUnavailableError, and a rerun resumes the study', async () => {
    const redis = await startRedisServer({ persist: true });
    const dir = mkdtempSync(join(tmpdir(), 'tune-down-'));
    const config = tuneConfig(dir, 'down', 8, 3000, `storage: { type: redis, url: '${redis.url}', retry: { maxMs: 2000 } }\n`);
    const { cli, watch } = await startTune(redis, config, join(dir, 'out'), false);
    try {
      expect(await waitFor(watch, 'down', (ts) => ts.some((t) => t.state === 'complete') && ts.some((t) => t.state === 'running'))).toBeDefined();
      await redis.down('SIGKILL');
      const began = Date.now();
      const code = await cli.done;
      const err = cli.stderr();
      expect(code, err).toBe(1);
      expect(Date.now() - began).toBeLessThan(20_000);
      expect(err.match(/^anneal tune worker: StorageUnavailableError: redis:\/\/127\.0\.0\.1:\d+: .*Redis did not answer for [\d.]+ s \(retried up to storage retry\.maxMs = 2000 ms/gm), err).toHaveLength(3);
      expect(err).toMatch(/^anneal: PipelineError: all 3 worker processes exited with an error \(3 x StorageUnavailableError; the first: StorageUnavailableError: .*\); the study 'down' in redis:\/\/127\.0\.0\.1:\d+ did not reach its 8 trials; fix the cause and run the same command again: the study resumes$/m);
      await redis.up();
      const again = spawnCli(['tune', config, '--parallel', '3', '--out', join(dir, 'out')]);
      expect(await again.done, again.stderr()).toBe(0);
      const trials = await watch.getTrials('down');
      expectExactBudget(trials, 8);
    } finally {
      cli.kill();
      await watch.close();
      await redis.stop();
    }
  }, 240_000);
});
