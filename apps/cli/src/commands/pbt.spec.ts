import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JournalStorage, RedisStorage } from '@anneal/search';
import { redisServerAvailable, startRedisServer } from '@anneal/testing';
import { runCli as run } from '../run-cli.js';
import { spawnCli } from '../spawn-cli.js';
import { pbtConfig } from './pbt-config.test-support.js';

const config = pbtConfig('pbt-mnist');

describe('anneal pbt', () => {
  it('a run SIGKILLed in the middle of generation 1 and run again resumes to exactly the uninterrupted result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pbt-cli-'));
    const file = join(dir, 'pbt.yaml');
    writeFileSync(file, config);
    // uninterrupted
    const full = await run(['pbt', file, '--out', join(dir, 'full')]);
    expect(full.code, full.err).toBe(0);
    expect(full.out).toMatch(/best: member \d, val\.accuracy [\d.]+; test accuracy [\d.]+% on 60 examples/);
    expect(full.out).toMatch(/its schedule \(lineage, generation by generation\):\n {2}generation 0: member \d optimizer\.lr=[\d.e-]+ optimizer\.weightDecay=[\d.e-]+ -> [\d.]+/);
    const expected = JSON.parse(readFileSync(join(dir, 'full', 'summary.json'), 'utf8'));
    // killed after member 1's interval of generation 1 (member 2 is training), then run again
    const killed = join(dir, 'killed');
    const cli = spawnCli(['pbt', file, '--out', killed]);
    let exited = false;
    void cli.done.then(() => (exited = true));
    for (let i = 0; i < 3000 && !exited && !/member 1, generation 1/.test(cli.stderr()); i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    expect(exited, `the run ended before it was killed:\n${cli.stderr()}`).toBe(false);
    cli.kill();
    await cli.done;
    expect(existsSync(join(killed, 'summary.json'))).toBe(false);
    const again = await run(['pbt', file, '--out', killed]);
    expect(again.code, again.err).toBe(0);
    expect(again.err).toMatch(/resuming after [67] finished intervals/);
    expect(again.err).not.toMatch(/member 0, generation 0/); // finished intervals are not trained again
    const resumed = JSON.parse(readFileSync(join(killed, 'summary.json'), 'utf8'));
    expect(resumed.intervals).toEqual(expected.intervals); // every score, hyperparameter and exploit, bit for bit
    expect(resumed.lineage).toEqual(expected.lineage);
    expect(resumed.best).toEqual({ ...expected.best, dir: join(killed, 'members', String(expected.best.member)) });
    expect(readFileSync(join(killed, 'best', 'model.onnx'))).toEqual(readFileSync(join(dir, 'full', 'best', 'model.onnx')));
    // the interval the kill interrupted is in the journal as failed, and was trained again
    const storage = new JournalStorage(join(killed, 'study.jsonl'));
    const trials = await storage.getTrials('pbt-mnist');
    await storage.close();
    expect(trials.filter((t) => t.state === 'fail').map((t) => t.error)).toEqual(['interrupted; retrained on resume']);
    expect(trials.filter((t) => t.state === 'complete')).toHaveLength(12);
    console.log(`PBT resume: killed after ${trials.findIndex((t) => t.state === 'fail')} intervals; both runs: best member ${resumed.best.member} val.accuracy ${resumed.best.score}, ${resumed.exploits} exploits, lineage lr ${resumed.lineage.map((l: { hyperparameters: Record<string, number> }) => l.hyperparameters['optimizer.lr']!.toPrecision(3)).join(' -> ')}`);
  }, 180_000);

  it('refuses exploring the model or data, and an empty space', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pbt-bad-'));
    const cases: [string, RegExp][] = [
      [config.replace('  optimizer.weightDecay:', '  model.hidden[0]: { type: int, low: 4, high: 32 }\n  optimizer.weightDecay:'), /space\.model\.hidden\[0\]: members exchange checkpoints, so the model, the data/],
      [config.replace(/space:\n[\s\S]*?population/, 'space: {}\npopulation'), /space: give at least one hyperparameter to explore/],
      [`${config}population: 1\n`.replace('population: 4\n', ''), /population: .*>=2|population: Too small/],
    ];
    for (const [i, [text, message]] of cases.entries()) {
      const file = join(dir, `bad-${i}.yaml`);
      writeFileSync(file, text);
      const r = await run(['pbt', file, '--out', join(dir, `out-${i}`)]);
      expect(r.code, `case ${i}: ${r.err}`).toBe(2);
      expect(r.err).toMatch(message);
      expect(existsSync(join(dir, `out-${i}`))).toBe(false);
    }
  });
});

describe.skipIf(!redisServerAvailable())('anneal pbt --storage redis://', () => {
  it('keeps the run in Redis (every interval a trial) and resumes it from there', async () => {
    const redis = await startRedisServer();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'pbt-redis-'));
      const file = join(dir, 'pbt.yaml');
      writeFileSync(file, config.replace('population: 4', 'population: 2').replace('generations: 3', 'generations: 2'));
      const r = await run(['pbt', file, '--out', join(dir, 'out'), '--storage', redis.url]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain(`pbt pbt-mnist (${redis.url})`);
      expect(existsSync(join(dir, 'out', 'study.jsonl'))).toBe(false);
      const storage = await RedisStorage.connect(redis.url);
      const trials = await storage.getTrials('pbt-mnist');
      await storage.close();
      expect(trials.filter((t) => t.state === 'complete')).toHaveLength(4);
      const again = await run(['pbt', file, '--out', join(dir, 'out'), '--storage', redis.url]);
      expect(again.code, again.err).toBe(0);
      expect(again.err).toMatch(/resuming after 4 finished intervals/);
      expect(JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8')).intervals).toHaveLength(4);
    } finally {
      await redis.stop();
    }
  }, 120_000);
});
