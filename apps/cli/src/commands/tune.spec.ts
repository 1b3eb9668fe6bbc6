import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RedisStorage, type FrozenTrial } from '@anneal/search';
import { redisServerAvailable, startRedisServer } from '@anneal/testing';
import { runCli as run } from '../run-cli.js';
import { getPath, setPath } from '@anneal/pipeline';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'anneal.mjs');

const base = `
base:
  data: { source: { kind: mnist, perDigit: 40 }, split: { test: 0.2, val: 0.2, seed: 0, stratify: true }, batchSize: 32 }
  model: { kind: mlp, hidden: [16] }
  optimizer: { type: adam, lr: 0.001 }
  train: { epochs: 3, threads: 1 }
`;

describe('config paths', () => {
  it('set and get nested values without touching the original', () => {
    const cfg = { optimizer: { lr: 1 }, schedules: [{ schedule: { base: 1 } }] };
    const next = setPath(cfg, 'schedules[0].schedule.base', 0.5);
    expect(getPath(next, 'schedules[0].schedule.base')).toBe(0.5);
    expect(cfg.schedules[0]!.schedule.base).toBe(1);
    expect(getPath(setPath(cfg, 'model.hidden', [8]), 'model.hidden')).toEqual([8]);
    expect(() => setPath(cfg, 'schedules[3].x', 1)).toThrow(/index 3 does not exist/);
  });
});

describe('anneal tune', () => {
  it('tunes lr, weight decay and hidden sizes of an MNIST MLP with TPE and median pruning, writes the report, and resumes the stored study', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tune-'));
    const config = join(dir, 'tune.yaml');
    writeFileSync(
      config,
      `name: t1\n${base}
space:
  optimizer.lr: { type: float, low: 1.0e-4, high: 0.3, log: true }
  optimizer.weightDecay: { type: float, low: 1.0e-6, high: 0.1, log: true }
  model.hidden: { type: categorical, choices: [[8], [32, 16]] }
trials: 6
sampler: { type: tpe, seed: 1, startupTrials: 3 }
pruner: { type: median, startupTrials: 2, warmupSteps: 1 }
`,
    );
    const out = join(dir, 'study');
    const r = await run(['tune', config, '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/trial 0: optimizer\.lr=[\d.e-]+ optimizer\.weightDecay=[\d.e-]+ model\.hidden=\[/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.trials.complete + summary.trials.pruned).toBe(6);
    expect(summary.trials.fail).toBe(0);
    // the best trial's run, re-runnable, and the report
    expect(r.out).toMatch(/best run: .*best[/\\]model\.onnx \(train it again: anneal fit .*best[/\\]config\.json\)/);
    const bestConfig = JSON.parse(readFileSync(join(out, 'best', 'config.json'), 'utf8'));
    expect(bestConfig.name).toBe('t1-best');
    expect(bestConfig.optimizer.lr).toBeCloseTo(summary.best.params['optimizer.lr'], 12);
    for (const f of ['model.onnx', 'metrics.jsonl', 'summary.json']) expect(existsSync(join(out, 'best', f)), f).toBe(true);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/Best trial[\s\S]*Optimization history[\s\S]*Trials/);
    const doctored = await run(['doctor', join(out, 'best'), '--no-report']);
    expect(doctored.code, doctored.err).toBe(0);
    const trialDoctor = await run(['doctor', join(out, 'trials', '0'), '--no-report']);
    expect(trialDoctor.code, trialDoctor.err).toBe(0);
    expect(trialDoctor.out).toMatch(/trials[/\\]0: \d+ epochs/);
    expect(summary.best.value).toBeGreaterThan(0.3);
    expect(summary.best.test.count).toBeGreaterThan(0);
    expect(summary.importance.map((i: { param: string }) => i.param).sort()).toEqual(['model.hidden', 'optimizer.lr', 'optimizer.weightDecay']);
    for (const c of ['optimization-history', 'parallel-coordinates', 'slice', 'importance']) expect(existsSync(join(out, 'charts', `${c}.png`)), c).toBe(true);
    expect(r.out).toMatch(/best: trial \d+, value [\d.]+/);
    // running again with a larger budget continues the same study
    const again = await run(['tune', config, '--out', out, '--trials', '8']);
    expect(again.code, again.err).toBe(0);
    const resumed = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(resumed.trials.complete + resumed.trials.pruned).toBe(8);
    expect(again.err).not.toMatch(/trial [0-5]:/);
  });

  it('rejects a space path the base config cannot take and a metric the run does not produce', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tune-bad-'));
    const config = join(dir, 'bad.yaml');
    writeFileSync(config, `name: bad\n${base}\nspace:\n  optimizer.lr: { type: float, low: 0.001, high: 0.01 }\nmetric: val.f1\ntrials: 1\npruner: { type: none }\n`);
    const r = await run(['tune', config, '--out', join(dir, 'out')]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/'val\.f1' is not produced/);
    expect(r.err.match(/failed:/g)).toHaveLength(1); // a config mistake stops at the first trial
    const invalid = join(dir, 'invalid.yaml');
    writeFileSync(invalid, `name: inv\n${base}\nspace:\n  optimizer.lr: { type: normal, low: 0.001 }\n`);
    const v = await run(['tune', invalid]);
    expect(v.code).toBe(2);
    expect(v.err).toMatch(/space\.optimizer\.lr/);
  });
});

describe.skipIf(!redisServerAvailable())('anneal tune --worker on Redis', () => {
  it('3 worker processes, 30 trials, one worker SIGKILLed mid-trial: every trial is accounted for exactly once', async () => {
    const redis = await startRedisServer();
    const dir = mkdtempSync(join(tmpdir(), 'tune-redis-'));
    const config = join(dir, 'dist.yaml');
    writeFileSync(
      config,
      `name: dist\n${base.replace('epochs: 3', 'epochs: 4')}
space:
  optimizer.lr: { type: float, low: 1.0e-3, high: 0.03, log: true }
trials: 30
sampler: { type: random, seed: 3 }
pruner: { type: none }
heartbeat: { intervalMs: 250, graceMs: 5000 }  # grace well above the timer delays of a loaded 2-core machine: a live worker is never taken for dead
`,
    );
    const workers: ChildProcess[] = [];
    const exits: Promise<number | null>[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const w = spawn(process.execPath, [bin, 'tune', config, '--worker', '--storage', redis.url, '--out', join(dir, 'out')], { stdio: 'ignore', env: { ...process.env, ANNEAL_SOURCE: '1' } });
        workers.push(w);
        exits.push(new Promise((r) => w.once('exit', (code) => r(code))));
      }
      const storage = await RedisStorage.connect(redis.url);
      try {
        // wait until the first worker is in the middle of a trial, then kill it
        const victim = workers[0]!;
        let running: FrozenTrial | undefined;
        for (let i = 0; i < 600 && !running; i++) {
          await new Promise((r) => setTimeout(r, 50));
          const trials = await storage.getTrials('dist').catch(() => []);
          running = trials.find((t) => t.state === 'running' && t.worker?.includes(`:${victim.pid}:`) && Object.keys(t.params).length > 0);
        }
        expect(running, 'the victim worker never started a trial').toBeDefined();
        victim.kill('SIGKILL');
        const codes = await Promise.all(exits);
        expect(codes.slice(1)).toEqual([0, 0]);
        const trials = await storage.getTrials('dist');
        const numbers = trials.map((t) => t.number);
        expect(numbers).toEqual(Array.from({ length: trials.length }, (_, i) => i)); // dense, each once
        expect(trials.filter((t) => t.state === 'running' || t.state === 'waiting')).toEqual([]);
        // trials asked beyond the budget at the same moment by two workers are given back unrun
        const failed = trials.filter((t) => t.state === 'fail' && !t.error?.startsWith('not run: '));
        expect(failed.map((t) => t.number)).toEqual([running!.number]);
        expect(failed[0]!.error).toMatch(/worker lost/);
        const retries = trials.filter((t) => t.retryOf !== undefined);
        expect(retries.map((t) => t.retryOf)).toEqual([running!.number]);
        expect(retries[0]!.state).toBe('complete');
        expect(failed[0]!.params).toEqual(running!.params);
        expect(retries[0]!.params).toEqual(running!.params);
        expect(trials.filter((t) => t.state === 'complete').length).toBe(30); // exactly the budget
      } finally {
        await storage.close();
      }
    } finally {
      for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
      await redis.stop();
    }
  }, 120_000);
});
