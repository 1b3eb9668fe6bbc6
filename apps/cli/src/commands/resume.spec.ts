import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TRAINER_STATE_KEY, type TrainerState } from '@anneal/core';
import { loadCheckpoint, saveCheckpoint } from '@anneal/runtime';
import { runCli as run } from '../run-cli.js';
import { killAtCheckpoint, spawnCli } from '../spawn-cli.js';

const root = mkdtempSync(join(tmpdir(), 'anneal-resume-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const iris = `name: iris
data:
  source: { type: iris }
  batchSize: 16
model: { type: mlp, hidden: [8] }
optimizer: { lr: 0.01 }
train: { epochs: 3, groupSize: 4, threads: 1 }
`;

/** A copy of a finished run folder whose checkpoint's Trainer state went through `edit`. */
function tampered(original: string, name: string, edit: (s: TrainerState) => void): string {
  const dir = join(root, name);
  cpSync(original, dir, { recursive: true });
  const last = join(dir, 'checkpoints', 'last.safetensors');
  const file = loadCheckpoint(last);
  const state = JSON.parse(file.metadata[TRAINER_STATE_KEY]!) as TrainerState;
  edit(state);
  saveCheckpoint(last, file.tensors, { ...file.metadata, [TRAINER_STATE_KEY]: JSON.stringify(state) });
  return dir;
}

describe('anneal resume checks the checkpoint against the run', () => {
  it('refuses tampered trainer metadata and an edited batch size with a typed error, and changes nothing', async () => {
    const config = join(root, 'iris.yaml');
    writeFileSync(config, iris);
    const original = join(root, 'original');
    const fit = await run(['fit', config, '--out', original, '--no-progress']);
    expect(fit.code, fit.err).toBe(0);
    const cases: [string, (s: TrainerState) => void, RegExp][] = [
      ['epoch', (s) => void (s.epoch = 999), /at epoch 999 of a run of 3 epochs/],
      ['batch', (s) => void (s.batch = 100000), /at batch 100000 of an epoch of 7 batches/],
      ['step', (s) => void (s.step += 5), /its step 26 is not epoch 3 x 7 batches \+ batch 0 = 21/],
    ];
    for (const [name, edit, message] of cases) {
      const dir = tampered(original, name, edit);
      const before = readFileSync(join(dir, 'checkpoints', 'last.safetensors'));
      const r = await run(['resume', dir, '--no-progress']);
      expect(r.code, name).toBe(2);
      expect(r.err).toMatch(/^anneal: ResumeMismatchError: .*last\.safetensors: cannot be resumed by this run: /m);
      expect(r.err).toMatch(message);
      expect(readFileSync(join(dir, 'checkpoints', 'last.safetensors')).equals(before)).toBe(true);
    }
    // the run's config.json edited to another batch size: the checkpoint says which one it was written with
    const edited = join(root, 'batch-size');
    cpSync(original, edited, { recursive: true });
    const saved = JSON.parse(readFileSync(join(edited, 'config.json'), 'utf8')) as { data: { batchSize: number } };
    saved.data.batchSize = 32;
    writeFileSync(join(edited, 'config.json'), JSON.stringify(saved));
    const r = await run(['resume', edited, '--no-progress']);
    expect(r.code).toBeGreaterThan(0);
    expect(r.err).toMatch(/was written with batchSize 16, this run has batchSize 32; resume with the run's own config.json and data, or start a new run/);
  }, 60_000);

  it('a run killed at its first checkpoint has runtime.json already; resume removes the temporary files kills leave and finishes', async () => {
    const config = join(root, 'mnist.yaml');
    writeFileSync(
      config,
      `name: killed
data:
  source: { type: mnist, perDigit: 60 }
  batchSize: 16
model: { type: mlp, hidden: [32] }
optimizer: { lr: 0.01 }
train: { epochs: 3, groupSize: 4, threads: auto, checkpointEverySteps: 4 }
`,
    );
    const dir = join(root, 'killed');
    const victim = spawnCli(['fit', config, '--out', dir, '--no-progress']);
    const last = join(dir, 'checkpoints', 'last.safetensors');
    const { state, seen } = await killAtCheckpoint(victim, last, () => true);
    expect(await victim.done, `checkpoints seen: ${seen.join(' ')}\n${victim.stderr()}`).toBeNull();
    expect(state).toBeDefined();
    // the thread choice is on disk whenever a checkpoint is: a resumed threads: auto run does not time threads again
    expect(existsSync(join(dir, 'runtime.json'))).toBe(true);
    // what a kill inside an atomic write leaves behind (writeFileAtomic's temporary siblings)
    const stale = [join(dir, '.metrics.jsonl.0123456789ab.tmp'), join(dir, 'checkpoints', '.last.safetensors.a1b2c3d4e5f6.tmp')];
    for (const f of stale) writeFileSync(f, 'half-written');
    const resumed = await run(['resume', dir, '--no-progress']);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toMatch(/resuming from/);
    for (const f of stale) expect(existsSync(f), f).toBe(false);
    expect(readdirSync(join(dir, 'checkpoints')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(join(dir, 'summary.json'))).toBe(true);
  }, 120_000);
});
