import { isNonFiniteStep, type AnnealEvent } from '@anneal/core';
import { describe, expect, it } from 'vitest';
import { boringModel } from './boring-model.js';
import { poisonedBatches, runBoring } from './boring-run.js';
import { memoryCheckpoints } from './memory-checkpoints.js';

const boring = boringModel();
const epochEnds = (events: readonly AnnealEvent[]) => events.filter((e): e is Extract<AnnealEvent, { type: 'epoch:end' }> => e.type === 'epoch:end');

describe('the boring model', () => {
  it('learns its blobs: validation loss falls and accuracy rises over 4 epochs', async () => {
    const { result, events } = await runBoring(boring, { epochs: 4 });
    expect(result?.steps).toBe(24);
    const ends = epochEnds(events);
    expect(ends.at(-1)!.val!.loss.mean).toBeLessThan(ends[0]!.val!.loss.mean);
    expect(ends.at(-1)!.val!.metrics.accuracy).toBeGreaterThan(0.8);
  });

  it('is deterministic, and a run resumed from a mid-epoch checkpoint continues bit for bit', async () => {
    const full = await runBoring(boring, { epochs: 3, checkpoint: { dir: '/run-a', io: memoryCheckpoints() } });
    const io = memoryCheckpoints();
    const killer = { key: 'killer', onBatchEnd: (e: { step: number }) => void (e.step === 9 ? (() => { throw new Error('killed'); })() : undefined) };
    const killed = await runBoring(boring, { epochs: 3, callbacks: [killer], checkpoint: { dir: '/run-b', io } });
    expect(String(killed.error)).toContain('killed');
    const resumed = await runBoring(boring, { epochs: 3, checkpoint: { dir: '/run-b', io }, resume: '/run-b/last.safetensors' });
    expect(resumed.events[0]).toMatchObject({ type: 'run:start', resumed: true, startEpoch: 2, startBatch: 2, step: 8 });
    const strip = (events: readonly AnnealEvent[]) => epochEnds(events).map(({ durationMs: _, ...e }) => e);
    expect(strip(resumed.events)).toEqual(strip(full.events).slice(1));
    expect(full.events.filter((e) => e.type === 'batch:end' && e.step >= 8).map((e) => (e as { loss: number }).loss)).toEqual(resumed.events.filter((e) => e.type === 'batch:end').map((e) => (e as { loss: number }).loss));
  });

  it('reports per-tensor norms when asked and throws the non-finite-step error on NaN inputs', async () => {
    const backend = boring.backend();
    const batches = [];
    for await (const b of poisonedBatches(boring.train, 0, 1).epoch(0)) batches.push(b);
    const ok = await backend.train(batches.slice(0, 1), [{ lr: 0.1 }], { stats: true, logits: true });
    expect(Object.keys(ok.stats!).sort()).toEqual(['stats.global_grad_norm', 'stats.grad_norm.fc.bias', 'stats.grad_norm.fc.weight', 'stats.update_norm.fc.bias', 'stats.update_norm.fc.weight', 'stats.weight_norm.fc.bias', 'stats.weight_norm.fc.weight']);
    expect(ok.logits![0]!.dims).toEqual([8, 3]);
    const error = await backend.train(batches.slice(0, 2), [{}, {}]).catch((e: unknown) => e);
    expect(isNonFiniteStep(error)).toBe(true);
    expect(error).toMatchObject({ step: 3, completed: [expect.any(Number)] });
    expect(backend.steps).toBe(2); // the batch before the NaN one was applied
  });
});
