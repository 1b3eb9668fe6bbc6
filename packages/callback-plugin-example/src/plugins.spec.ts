import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentIo } from '@anneal/core';
import { createPipeline } from '@anneal/pipeline';
import { describeCallbackConformance, describeLoggerConformance } from '@anneal/testing';
import { describe, expect, it } from 'vitest';
import { epochsMarkdownDescriptor, lossSpikeGuard, lossSpikeGuardDescriptor } from './index.js';

describeCallbackConformance(lossSpikeGuardDescriptor, {
  valid: [{}, { factor: 1.01, alpha: 0.5, warmup: 0, maxSpikes: 100 }],
  invalid: [{ factor: 1 }, { alpha: 0 }, { maxSpikes: 0 }, { patience: 3 }],
  // a loss that jumps when the lr does: spikes to count, warn about and checkpoint
  run: { lr: (step) => (step % 7 === 6 ? 3 : 0.05) },
});

describeLoggerConformance(epochsMarkdownDescriptor, { valid: [{}, { file: 'table.md' }], invalid: [{ file: '' }, { path: 'x.md' }] });

describe('loss-spike-guard', () => {
  const batch = (step: number, loss: number) => ({ type: 'batch:end' as const, epoch: 0, batch: step, step, loss, lr: 0.1, hyperparameters: {} });
  it('warns on each spike above factor x the running average, stops at maxSpikes, and keeps spikes out of the average', () => {
    const guard = lossSpikeGuard({ factor: 2, alpha: 0.5, warmup: 2, maxSpikes: 2 });
    const calls: string[] = [];
    const control = { stop: (r: string) => calls.push(`stop: ${r}`), warn: (code: string) => calls.push(code) } as never;
    for (const [i, loss] of [1, 1, 1, 5, 1, 6].entries()) guard.onBatchEnd!(batch(i, loss), control);
    expect(calls[0]).toBe('loss-spike');
    expect(calls[1]).toMatch(/^stop: 2 loss spikes \(last: 6\.0000 at step 5, 6\.0x the running average\)/);
    expect(guard.spikes).toBe(2);
    expect(guard.state!()).toEqual({ average: 1, seen: 6, spikes: 2 });
  });

  it('runs from a config by package, and the logger writes the epochs table into the run folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callback-plugin-'));
    try {
      const pipeline = await createPipeline({ io: silentIo });
      const s = await pipeline.fit(
        {
          data: { source: { type: 'iris' }, split: { test: 0.2, val: 0.2, stratify: true }, batchSize: 16 },
          model: { type: 'mlp', hidden: [8] },
          optimizer: { type: 'adam', lr: 0.01 },
          callbacks: [{ type: 'loss-spike-guard', package: '@anneal/callback-plugin-example', factor: 4 }],
          loggers: [{ type: 'epochs-markdown', package: '@anneal/callback-plugin-example' }],
          train: { epochs: 3, threads: 1 },
        },
        { dir: join(dir, 'run') },
      );
      const table = readFileSync(join(s.runDir, 'epochs.md'), 'utf8').trim().split('\n');
      expect(table[0]).toBe('| epoch | train loss | val loss | train accuracy | val accuracy | lr |');
      expect(table.slice(2).map((r) => r.split(' | ')[0])).toEqual(['| 1', '| 2', '| 3']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
