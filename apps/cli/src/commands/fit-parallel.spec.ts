// `train.parallel` in `anneal fit`: the same run split over 2 worker threads and 2 micro-batches
// per worker ends with the same test score as the run in one piece; bad layouts are refused.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli as run } from '../run-cli.js';
import type { FitSummary } from '@anneal/pipeline';

const root = mkdtempSync(join(tmpdir(), 'anneal-parallel-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const config = (name: string, parallel: string) => {
  const path = join(root, `${name}.yaml`);
  writeFileSync(
    path,
    `name: ${name}
seed: 0
data:
  source: { kind: mnist, perDigit: 100 }
  split: { test: 0.25, val: 0.1, seed: 7 }
  batchSize: 64
model: { kind: mlp, hidden: [32] }
optimizer: { type: adam, lr: 0.003 }
train: { epochs: 2, threads: 1${parallel} }
`,
  );
  return path;
};

describe('anneal fit with train.parallel', () => {
  it('2 workers x 2 micro-batches reach the one-piece run within float rounding and report the layout', async () => {
    const summaries: FitSummary[] = [];
    for (const [name, parallel] of [['whole', ''], ['split', ', parallel: { workers: 2, accumulate: 2 }']] as const) {
      const dir = join(root, name);
      const r = await run(['fit', config(name, parallel), '--out', dir, '--no-progress']);
      expect(r.code, r.err).toBe(0);
      summaries.push(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as FitSummary);
      if (parallel) expect(r.out).toMatch(/training: \d+ examples\/s \(batch 64 = 2 workers x 2 micro-batches\)/);
    }
    const [whole, split] = summaries;
    expect(split!.throughput).toMatchObject({ workers: 2, accumulate: 2, batch: 64 });
    expect(split!.throughput.examplesPerSecond).toBeGreaterThan(0);
    expect(split!.steps).toBe(whole!.steps);
    expect(split!.test.loss).toBeCloseTo(whole!.test.loss, 4);
    expect(split!.test.accuracy).toBeCloseTo(whole!.test.accuracy!, 2);
  }, 90_000);

  it('optimizer.largeBatch scales the lr by batch/baseBatch after a gradual warmup from the base rate, on top of the lr schedule', async () => {
    const path = config('scaled', ', parallel: { workers: 2, accumulate: 2 }');
    // batch 64, tuned at 16: k = 4; 1 warmup epoch; a step decay x0.5 every 10 steps from the schedule
    writeFileSync(path, readFileSync(path, 'utf8').replace('optimizer: { type: adam, lr: 0.003 }', 'optimizer: { type: momentum, lr: 0.01, largeBatch: { baseBatch: 16, warmupEpochs: 1 } }\nschedules: [{ target: lr, schedule: { type: step, base: 0.01, stepSize: 10, gamma: 0.5 } }]'));
    const dir = join(root, 'scaled');
    const r = await run(['fit', path, '--out', dir, '--no-progress']);
    expect(r.code, r.err).toBe(0);
    const steps = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; step: number; lr: number }).filter((l) => l.kind === 'batch');
    const perEpoch = steps.filter((s) => (s as unknown as { epoch: number }).epoch === 1).length;
    expect(perEpoch).toBeGreaterThan(3);
    // one schedule step per optimizer update (batch of 64), not per micro-batch of 16
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as FitSummary;
    const train = Number(/\((\d+) train examples/.exec(r.err)![1]);
    expect(perEpoch).toBe(Math.ceil(train / 64));
    expect(steps).toHaveLength(summary.steps);
    for (const s of steps) {
      const factor = s.step < perEpoch ? 1 + (3 * s.step) / perEpoch : 4;
      expect(s.lr).toBeCloseTo(0.01 * 0.5 ** Math.floor(s.step / 10) * factor, 8);
    }
  }, 60_000);

  it('optimizer.largeBatch scales parameter groups with their own lr too, and a group schedule keeps its shape', async () => {
    const path = config('scaled-groups', '');
    // fc0: own lr 0.002, constant; fc1: own lr, driven by a group step schedule; the base lr 0.01 constant
    const optimizer = `optimizer:
  type: momentum
  lr: 0.01
  largeBatch: { baseBatch: 16, warmupEpochs: 1 }
  groups: [{ name: body, params: '^fc0\\.', lr: 0.002 }, { name: head, params: '^fc1\\.', lr: 0.05 }]
schedules: [{ target: lr, group: head, schedule: { type: step, base: 0.05, stepSize: 5, gamma: 0.5 } }]`;
    writeFileSync(path, readFileSync(path, 'utf8').replace('optimizer: { type: adam, lr: 0.003 }', optimizer));
    const dir = join(root, 'scaled-groups');
    const r = await run(['fit', path, '--out', dir, '--no-progress']);
    expect(r.code, r.err).toBe(0);
    type Row = { kind: string; epoch: number; step: number; lr: number; hyperparameters?: Record<string, number> };
    const steps = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row).filter((l) => l.kind === 'batch');
    const perEpoch = steps.filter((s) => s.epoch === 1).length;
    expect(perEpoch).toBeGreaterThan(3);
    for (const s of steps) {
      const factor = s.step < perEpoch ? 1 + (3 * s.step) / perEpoch : 4;
      expect(s.lr).toBeCloseTo(0.01 * factor, 8);
      expect(s.hyperparameters?.['hp.lr.body']).toBeCloseTo(0.002 * factor, 8);
      expect(s.hyperparameters?.['hp.lr.head']).toBeCloseTo(0.05 * 0.5 ** Math.floor(s.step / 5) * factor, 8);
    }
  }, 60_000);

  it('refuses more pieces than examples per batch, naming the setting', async () => {
    const r = await run(['fit', config('too-many', ', parallel: { workers: 4, accumulate: 32 }'), '--out', join(root, 'too-many'), '--no-progress']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/train.parallel: 4 workers x 32 micro-batches = 128 pieces, more than data.batchSize 64/);
  });
});
