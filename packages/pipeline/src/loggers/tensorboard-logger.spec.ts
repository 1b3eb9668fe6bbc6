// The tensorboard and csv loggers named from a fit config, on a real (tiny) Iris run: what they
// write is read back with @anneal/tensorboard's reader and compared with metrics.jsonl's records,
// also across a crash and `resume`.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentIo, type Callback } from '@anneal/core';
import { listEventFiles, readEventFile, scalarSeries, type ScalarPoint } from '@anneal/tensorboard';
import { afterAll, describe, expect, it } from 'vitest';
import { createPipeline } from '../pipeline.js';
import { parseCsv } from './csv-logger.js';
import { readMetrics } from './metrics-jsonl.js';
import type { MetricsRecord } from './metrics-record.js';

const root = mkdtempSync(join(tmpdir(), 'anneal-tb-fit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const config = {
  name: 'iris-loggers',
  seed: 1,
  data: { source: { type: 'iris' }, split: { test: 0.2, val: 0.2, seed: 0, stratify: true }, batchSize: 16 },
  model: { type: 'mlp', hidden: [8] },
  optimizer: { type: 'adamw', lr: 0.02, weightDecay: 0.01 },
  schedules: [
    { target: 'lr', schedule: { type: 'cosine', base: 0.02, tMax: 18 } },
    { target: 'weight_decay', schedule: { type: 'linear', base: 0.01, startFactor: 1, endFactor: 0.5, totalIters: 18 } },
  ],
  train: { epochs: 3, threads: 1, groupSize: 1, normsEvery: 2, checkpointEverySteps: 4 },
  loggers: [{ type: 'tensorboard' }, { type: 'csv', steps: 'steps.csv' }],
};

type Batch = Extract<MetricsRecord, { kind: 'batch' }>;
type Epoch = Extract<MetricsRecord, { kind: 'epoch' }>;
const batches = (dir: string) => readMetrics(join(dir, 'metrics.jsonl')).filter((r): r is Batch => r.kind === 'batch');
const epochs = (dir: string) => readMetrics(join(dir, 'metrics.jsonl')).filter((r): r is Epoch => r.kind === 'epoch');
const points = (series: Record<string, ScalarPoint[]>, tag: string) => (series[tag] ?? []).map((p) => [p.step, p.value]);

/** The CSV as objects keyed by header, values as numbers. */
function csvRows(path: string): Record<string, number>[] {
  const [header, ...lines] = parseCsv(readFileSync(path, 'utf8'));
  return lines.map((line) => Object.fromEntries(line.flatMap((v, i) => (v === '' ? [] : [[header![i]!, Number(v)]]))));
}

/** Checks every file the two loggers wrote against the run's metrics.jsonl. */
function expectLogsMatchMetrics(dir: string) {
  const steps = batches(dir);
  const ends = epochs(dir);
  const series = scalarSeries(listEventFiles(join(dir, 'tensorboard')).flatMap(readEventFile));
  // one point per step, at updates applied, equal to metrics.jsonl's loss as a float32
  expect(points(series, 'train/loss')).toEqual(steps.map((b) => [b.step + 1, Math.fround(b.loss)]));
  expect(points(series, 'lr')).toEqual(steps.map((b) => [b.step + 1, Math.fround(b.lr)]));
  const inputs = Object.keys(steps[0]!.hyperparameters!);
  expect(inputs).toEqual(['hp.weight_decay.default']); // the scheduled input of the default parameter group
  for (const name of inputs) expect(points(series, `hp/${name.slice(3)}`)).toEqual(steps.map((b) => [b.step + 1, Math.fround(b.hyperparameters![name]!)]));
  expect(series['train/grad_norm']!.map((p) => p.step)).toEqual(steps.filter((b) => b.norms).map((b) => b.step + 1));
  expect(points(series, 'train/loss_mean')).toEqual(ends.map((e) => [e.step, Math.fround(e.train.loss.mean)]));
  expect(points(series, 'train/loss_std')).toEqual(ends.map((e) => [e.step, Math.fround(e.train.loss.std)]));
  expect(points(series, 'val/loss')).toEqual(ends.map((e) => [e.step, Math.fround(e.val!.loss.mean)]));
  expect(points(series, 'val/accuracy')).toEqual(ends.map((e) => [e.step, Math.fround(e.val!.metrics.accuracy!)]));
  // the CSV cells read back to the exact doubles
  expect(csvRows(join(dir, 'epochs.csv'))).toEqual(
    ends.map((e) => ({
      epoch: e.epoch,
      step: e.step,
      'train.loss': e.train.loss.mean,
      'train.loss.std': e.train.loss.std,
      'train.accuracy': e.train.metrics.accuracy,
      'val.loss': e.val!.loss.mean,
      'val.accuracy': e.val!.metrics.accuracy,
      ...e.hyperparameters,
      duration_ms: e.durationMs,
    })),
  );
  const stepRows = csvRows(join(dir, 'steps.csv'));
  expect(stepRows.map((r) => [r.step, r.epoch, r.batch, r.loss, r.lr, r['hp.weight_decay.default']])).toEqual(steps.map((b) => [b.step, b.epoch, b.batch, b.loss, b.lr, b.hyperparameters!['hp.weight_decay.default']]));
  expect(stepRows.filter((r) => r.grad_norm !== undefined).map((r) => r.step)).toEqual(steps.filter((b) => b.norms).map((b) => b.step));
}

describe('the tensorboard and csv loggers on a real run', () => {
  it('named in a fit config, write event files and CSVs whose values are metrics.jsonl’s', async () => {
    const dir = join(root, 'fit');
    const pipeline = await createPipeline({ io: silentIo });
    const summary = await pipeline.fit(config, { dir });
    expect(summary.steps).toBe(18);
    expect(readdirSync(join(dir, 'tensorboard'))).toEqual([expect.stringMatching(/^events\.out\.tfevents\.\d{10}\.[^/]+$/)]);
    expect(batches(dir)).toHaveLength(18);
    expect(epochs(dir)).toHaveLength(3);
    expectLogsMatchMetrics(dir);
  });

  it('after a crash and `resume`, show every step once: the orphaned steps leave the first event file and the CSVs', async () => {
    const dir = join(root, 'crash');
    const pipeline = await createPipeline({ io: silentIo });
    // dies at step 10 (epoch 2), after the every-4-steps checkpoint at 8 updates: steps 8..10 are orphans
    const crash: Callback = {
      key: 'crash',
      onBatchEnd: (e) => {
        if (e.step === 10) throw new Error('simulated crash');
      },
    };
    await expect(pipeline.fit(config, { dir, callbacks: [crash] })).rejects.toThrow('simulated crash');
    const [first] = listEventFiles(join(dir, 'tensorboard'));
    expect(scalarSeries(readEventFile(first!))['train/loss']!.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const summary = await pipeline.resume(dir);
    expect(summary.steps).toBe(18);
    const files = listEventFiles(join(dir, 'tensorboard'));
    expect(files).toHaveLength(2);
    expect(files[0]).toBe(first);
    expect(scalarSeries(readEventFile(first!))['train/loss']!.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(readEventFile(files[1]!)[1]).toMatchObject({ step: 9, sessionLog: { status: 'start' } });
    expect(batches(dir).map((b) => b.step)).toEqual([...Array(18).keys()]);
    expectLogsMatchMetrics(dir);
  });
});
