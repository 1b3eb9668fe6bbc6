import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JournalStorage, pbtAttr } from '@anneal/search';
import { runCli as run } from '../run-cli.js';
import { spawnCli } from '../spawn-cli.js';
import { pbtConfig } from './pbt-config.test-support.js';

// A real `anneal pbt --parallel 2` (the CLI process and the 2 worker processes it forks) against
// the same config run in one process: the same numbers, each interval trained once.

const config = pbtConfig('pbt-par', 'heartbeat: { intervalMs: 200, graceMs: 10000 }\n');

describe('anneal pbt --parallel', () => {
  it('2 worker processes train the intervals (each once) and the run ends with the scores, lineage and best model of a single-process run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pbt-parallel-'));
    const file = join(dir, 'pbt.yaml');
    writeFileSync(file, config);
    const started = performance.now();
    const one = await run(['pbt', file, '--out', join(dir, 'one')]);
    expect(one.code, one.err).toBe(0);
    const single = (performance.now() - started) / 1000;
    const cli = spawnCli(['pbt', file, '--parallel', '2', '--out', join(dir, 'par')]);
    const code = await cli.done;
    const parallel = (performance.now() - started) / 1000 - single;
    const err = cli.stderr();
    expect(code, err).toBe(0);
    expect(err).toMatch(/^anneal pbt: pbt-par: 4 members x 3 generations of 1 epoch \(train\.epochs 3\) on .*study\.jsonl; 2 worker processes$/m);
    expect(err).not.toMatch(/exited with an error|anneal pbt worker:/);
    const expected = JSON.parse(readFileSync(join(dir, 'one', 'summary.json'), 'utf8'));
    const got = JSON.parse(readFileSync(join(dir, 'par', 'summary.json'), 'utf8'));
    expect(got.intervals).toEqual(expected.intervals); // every score, hyperparameter and exploit
    expect(got.lineage).toEqual(expected.lineage);
    expect(got.best).toEqual({ ...expected.best, dir: join(dir, 'par', 'members', String(expected.best.member)) });
    expect(readFileSync(join(dir, 'par', 'best', 'model.onnx'))).toEqual(readFileSync(join(dir, 'one', 'best', 'model.onnx')));
    // the journal: every interval complete exactly once, nothing else, trained by more than one process
    const storage = new JournalStorage(join(dir, 'par', 'study.jsonl'));
    const trials = await storage.getTrials('pbt-par');
    await storage.close();
    expect(trials.map((t) => [t.state, !!pbtAttr(t)])).toEqual(trials.map(() => ['complete', true]));
    const intervals = trials.map((t) => `${pbtAttr(t)!.member}/${pbtAttr(t)!.generation}`).sort();
    expect(intervals).toEqual(['0/0', '0/1', '0/2', '1/0', '1/1', '1/2', '2/0', '2/1', '2/2', '3/0', '3/1', '3/2']);
    const workers = new Set(trials.map((t) => t.worker));
    expect(workers.size).toBe(2);
    // each interval logged once, by the worker that trained it
    const logged = [...err.matchAll(/^member (\d), generation (\d)\b/gm)].map((m) => `${m[1]}/${m[2]}`).sort();
    expect(logged).toEqual(intervals);
    console.log(`PBT --parallel 2: best member ${got.best.member} val.accuracy ${got.best.score}, test ${got.best.test?.accuracy}; intervals per worker process ${[...workers].map((w) => trials.filter((t) => t.worker === w).length).join(' + ')}; ${single.toFixed(1)} s in one process, ${parallel.toFixed(1)} s with the CLI and 2 workers`);
  }, 90_000);
});
