import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { defineCallback, type CallbackDescriptor } from '@anneal/core';
import type { TensorValue } from '@anneal/onnx';
import { loadCheckpoint } from '@anneal/runtime';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPipeline } from '../pipeline.js';

const digest = (t: TensorValue) => createHash('sha256').update(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)).digest('hex');

/** Writes, when a member's interval starts, a digest of each weight the session holds (after any checkpoint was restored). */
const captureStart = (dir: string): CallbackDescriptor =>
  defineCallback({
    id: 'capture-start',
    description: 'digests of the weights at the start of each interval (spec only)',
    options: z.strictObject({}),
    create: (_o, ctx) => ({
      key: 'capture-start',
      async onRunStart(e, control) {
        const weights = await control.captureWeights();
        const file = join(dir, `${basename(ctx.run.dir!)}-epoch-${e.startEpoch}.json`);
        writeFileSync(file, JSON.stringify(Object.fromEntries(Object.entries(weights).map(([name, t]) => [name, digest(t)]))));
      },
    }),
  });

const checkpointDigests = (path: string, names: readonly string[]) => {
  const { tensors } = loadCheckpoint(path);
  return Object.fromEntries(names.map((n) => [n, digest(tensors[n]!)]));
};

const config = {
  name: 'pbt-mnist',
  base: {
    data: { source: { type: 'mnist', perDigit: 30 }, split: { test: 0.2, val: 0.2, seed: 0, stratify: true }, batchSize: 32 },
    model: { type: 'mlp', hidden: [16] },
    optimizer: { type: 'adam', lr: 0.01 },
    callbacks: [{ type: 'capture-start' }],
  },
  space: { 'optimizer.lr': { type: 'float', low: 1e-4, high: 0.1, log: true }, 'optimizer.weightDecay': { type: 'float', low: 1e-6, high: 1e-2, log: true } },
  population: 4,
  generations: 3,
  seed: 3,
  keepCheckpoints: true,
};

describe('Pipeline.pbt', () => {
  it('trains a population of pipeline runs on MNIST: exploits copy the source checkpoint, schedules are recorded, the best model and report are written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pbt-'));
    const captured = join(dir, 'captured');
    mkdirSync(captured);
    const pipeline = await createPipeline({ plugins: [captureStart(captured)] });
    const out = join(dir, 'study');
    const summary = await pipeline.pbt(config, { out });
    expect(summary.intervals).toHaveLength(12);
    expect(summary.exploits).toBe(2); // the bottom member (25% of 4) copies a top one after generations 0 and 1
    const names = Object.keys(JSON.parse(readFileSync(join(captured, '0-epoch-1.json'), 'utf8')) as object);
    expect(names.length).toBeGreaterThan(0);
    const interval = (member: number, generation: number) => summary.intervals.find((i) => i.member === member && i.generation === generation)!;
    // 1) every interval after the first started from the checkpoint its plan says: an exploit from the source member's, else its own
    for (const s of summary.intervals.filter((i) => i.generation > 0)) {
      const start = JSON.parse(readFileSync(join(captured, `${s.member}-epoch-${s.generation + 1}.json`), 'utf8')) as Record<string, string>;
      expect(start, `member ${s.member}, generation ${s.generation}`).toEqual(checkpointDigests(join(out, 'checkpoints', `member-${s.parent}`, `generation-${s.generation - 1}.ckpt`), names));
      if (s.exploited) {
        expect(s.parent).not.toBe(s.member);
        expect(start).not.toEqual(checkpointDigests(join(out, 'checkpoints', `member-${s.member}`, `generation-${s.generation - 1}.ckpt`), names));
      } else {
        expect(s.parent).toBe(s.member);
        expect(s.hyperparameters).toEqual(interval(s.member, s.generation - 1).hyperparameters); // explored only when exploited
      }
    }
    // 2) the schedules: each member's epochs trained with the lr of its interval (metrics.jsonl epoch lines); explored values stay in the space
    for (const s of summary.intervals) {
      const lines = readFileSync(join(out, 'members', String(s.member), 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; epoch: number; hyperparameters?: { lr: number } });
      const lr = lines.find((l) => l.kind === 'epoch' && l.epoch === s.generation + 1)!.hyperparameters!.lr;
      expect(Math.abs(lr / (s.hyperparameters['optimizer.lr'] as number) - 1), `member ${s.member} generation ${s.generation}`).toBeLessThan(1e-6);
      expect(s.hyperparameters['optimizer.lr']).toBeGreaterThanOrEqual(1e-4);
      expect(s.hyperparameters['optimizer.lr']).toBeLessThanOrEqual(0.1);
    }
    // 3) lineage: from generation 0 to the best member of the last generation, following the parent links
    expect(summary.lineage.map((l) => l.generation)).toEqual([0, 1, 2]);
    expect(summary.lineage.at(-1)!.member).toBe(summary.best.member);
    for (let g = 1; g < 3; g++) expect(summary.lineage[g]!.parent).toBe(summary.lineage[g - 1]!.member);
    // 4) the best model, its config with the final hyperparameters, lineage.json; report and charts
    const best = join(out, 'best');
    expect(readFileSync(join(best, 'model.onnx'))).toEqual(readFileSync(join(out, 'members', String(summary.best.member), 'model.onnx')));
    const bestConfig = JSON.parse(readFileSync(join(best, 'config.json'), 'utf8'));
    expect(bestConfig.name).toBe('pbt-mnist-best');
    expect(bestConfig.optimizer.lr).toBe(summary.best.hyperparameters['optimizer.lr']);
    expect(bestConfig.train.epochs).toBe(3);
    expect(JSON.parse(readFileSync(join(best, 'lineage.json'), 'utf8'))).toEqual(summary.lineage);
    expect(summary.best.test?.count).toBeGreaterThan(0);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/Best model[\s\S]*Schedules[\s\S]*Every interval/);
    for (const c of ['pbt-scores', 'pbt-optimizer_lr', 'pbt-optimizer_weightDecay']) expect(existsSync(join(out, 'charts', `${c}.png`)), c).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).lineage).toEqual(summary.lineage);
    // 5) re-running the finished run trains nothing and returns the same result; another base config is refused
    const again = await pipeline.pbt(config, { out });
    expect(again.intervals).toEqual(summary.intervals);
    await expect(pipeline.pbt({ ...config, epochsPerGeneration: 2 }, { out })).rejects.toThrow(/was started with another base config, interval length/);
    console.log(`PBT (4 members x 3 generations, MNIST): best member ${summary.best.member} val.accuracy ${summary.best.score.toFixed(4)}, test ${summary.best.test?.accuracy}; lineage ${summary.lineage.map((l) => `g${l.generation} m${l.member} lr ${(l.hyperparameters['optimizer.lr'] as number).toPrecision(3)} -> ${l.score?.toFixed(4)}`).join(', ')}; ${summary.seconds.toFixed(1)} s`);
  }, 240_000);
});
