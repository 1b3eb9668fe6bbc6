/**
 * Several real Node processes on one journal file: trials shared without loss or duplicates,
 * and a worker killed mid-trial detected by its missing heartbeats and retried once.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { JournalStorage } from './storage/journal-storage.js';
import { createStudy } from './study.js';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = dirname(here);
const dir = mkdtempSync(join(tmpdir(), 'anneal-procs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEARTBEAT = { intervalMs: 50, graceMs: 400, retryFailed: true };

/** The worker script: `optimize <journal> <nTrials>` or `hang <journal>` (starts a trial and never ends it). */
const script = join(dir, 'worker.mts');
writeFileSync(
  script,
  `import { createStudy } from ${JSON.stringify(pathToFileURL(join(here, 'study.ts')).href)};
import { JournalStorage } from ${JSON.stringify(pathToFileURL(join(here, 'storage', 'journal-storage.ts')).href)};
const [mode, path, n] = process.argv.slice(2);
const study = await createStudy(mode === 'hang' ? 'hb' : 'mp', { storage: new JournalStorage(path!), loadIfExists: true, seed: 7, heartbeat: ${JSON.stringify(HEARTBEAT)} });
if (mode === 'hang') {
  setInterval(() => {}, 1000); // keep the process alive: it is killed by the test
  const trial = await study.ask();
  trial.suggestFloat('x', -5, 5);
  trial.suggestCategorical('act', ['relu', 'gelu']);
  await trial.setUserAttr('pid', process.pid); // waits for the parameter writes
  process.send!({ number: trial.number, params: trial.params });
} else {
  process.send!({ ready: true });
  await new Promise((r) => process.once('message', r)); // all workers start together
  await study.optimize(async (t) => {
    const x = t.suggestFloat('x', -5, 5);
    await new Promise((r) => setTimeout(r, 1));
    return x * x;
  }, { nTrials: Number(n) });
  await study.close();
  process.send!({ done: true });
}
`,
);

function start(...args: string[]): ChildProcess {
  return fork(script, args, { cwd: packageDir, execArgv: ['--conditions=@anneal/source', '--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
}

function nextMessage<T>(child: ChildProcess): Promise<T> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before reporting:\n${stderr}`)));
  });
}

describe('a journal study shared by processes', () => {
  it('runs 3 processes x 20 trials: numbers 0..59 each once, all complete', async () => {
    const path = join(dir, 'shared.jsonl');
    const children = [0, 1, 2].map(() => start('optimize', path, '20'));
    await Promise.all(children.map((c) => nextMessage(c)));
    const finished = children.map((c) => nextMessage(c));
    for (const c of children) c.send('go');
    await Promise.all(finished);
    const storage = new JournalStorage(path);
    const trials = await storage.getTrials('mp');
    expect(trials.map((t) => t.number)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(trials.every((t) => t.state === 'complete' && t.value === Number(t.params.x) ** 2)).toBe(true);
    expect(new Set(trials.map((t) => t.worker)).size).toBe(3);
    const switches = trials.filter((t, i) => i > 0 && t.worker !== trials[i - 1]!.worker).length;
    expect(switches).toBeGreaterThan(5); // the processes really interleaved
    await storage.close();
  });

  it('fails the trial of a SIGKILLed worker after graceMs and retries it exactly once with the same params', async () => {
    const path = join(dir, 'heartbeat.jsonl');
    const hung = start('hang', path);
    const dead = await nextMessage<{ number: number; params: Record<string, unknown> }>(hung);
    await new Promise((r) => setTimeout(r, 150)); // a few heartbeats
    hung.kill('SIGKILL');
    await new Promise((r) => hung.once('exit', r));
    const alive = await createStudy('hb', { storage: new JournalStorage(path), loadIfExists: true, heartbeat: HEARTBEAT });
    expect((await alive.trials())[dead.number]).toMatchObject({ state: 'running', params: dead.params });
    await new Promise((r) => setTimeout(r, HEARTBEAT.graceMs + 100));
    // two workers (separate storages on the file) look for stale trials at once
    const other = await createStudy('hb', { storage: new JournalStorage(path), loadIfExists: true, heartbeat: HEARTBEAT });
    const objective = (t: import('./trial.js').Trial) => (t.suggestFloat('x', -5, 5) === dead.params.x ? 0 : 1) + (t.suggestCategorical('act', ['relu', 'gelu']) === dead.params.act ? 0 : 1);
    await Promise.all([alive.optimize(objective, { nTrials: 2 }), other.optimize(objective, { nTrials: 2 })]);
    const trials = await alive.trials();
    expect(trials).toHaveLength(5);
    expect(trials[dead.number]).toMatchObject({ state: 'fail', error: expect.stringMatching(/^worker lost: no heartbeat for \d+ ms/) });
    const retries = trials.filter((t) => t.retryOf !== undefined);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ retryOf: dead.number, state: 'complete', value: 0, params: dead.params });
    expect(trials.filter((t) => t.state === 'complete')).toHaveLength(4);
    await Promise.all([alive.close(), other.close()]);
  });
});
