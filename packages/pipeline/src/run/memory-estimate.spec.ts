import { availableParallelism } from 'node:os';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listParameters } from '@anneal/autograd';
import { ofType } from '@anneal/core';
import { buildCnn, buildMlp } from '@anneal/engine';
import { PluginConfigError } from '@anneal/plugin';
import { createPipeline } from '../pipeline.js';
import { checkStepMemory, estimateStepMemory, MemoryLimitError } from './memory-estimate.js';

const root = mkdtempSync(join(tmpdir(), 'anneal-memory-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const iris = { name: 'iris', data: { source: { type: 'iris' }, batchSize: 16 }, model: { type: 'mlp', hidden: [8] }, optimizer: { lr: 0.01 }, train: { epochs: 1, threads: 1 } };

describe('the memory estimate of a train step', () => {
  it('counts weights, gradients + new values + optimizer state per trainable tensor, and activations at the batch size', () => {
    const mlp = buildMlp({ sizes: [784, 128, 10] }); // 100480 + 1290 parameters
    const params = (784 + 1) * 128 + (128 + 1) * 10;
    const e = estimateStepMemory(mlp, { trainable: listParameters(mlp), stateSlots: 2, batchSize: 64, input: 'x', groupSize: 16 });
    expect(e.weights).toBe(params * 4);
    expect(e.update).toBe(params * 4 * (2 + 2 * 2)); // Adam: gradient, new value, 2 slots in and out
    // Gemm [64,128], Relu [64,128], Gemm (logits) [64,10], forward and backward
    expect(e.activations).toBe(2 * 4 * 64 * (128 + 128 + 10));
    expect(e.inputs).toBe(16 * 64 * 784 * 4);
    expect(e.total).toBe(e.weights + e.update + e.activations + e.inputs);
    // only trainable tensors have an update; a frozen layer costs its weights only
    const frozen = estimateStepMemory(mlp, { trainable: ['fc1.weight', 'fc1.bias'], stateSlots: 2, batchSize: 64, input: 'x', groupSize: 16 });
    expect(frozen.update).toBe(1290 * 4 * 6);
    // a conv net's activations grow with the batch: 64 channels of 28 x 28 per example and layer
    const cnn = buildCnn({ input: [1, 28, 28], classes: 10, channels: [64, 128], seed: 0 });
    const small = estimateStepMemory(cnn, { trainable: listParameters(cnn), stateSlots: 2, batchSize: 8, input: 'x', groupSize: 16 });
    const large = estimateStepMemory(cnn, { trainable: listParameters(cnn), stateSlots: 2, batchSize: 4096, input: 'x', groupSize: 16 });
    expect(large.activations / small.activations).toBeCloseTo(512, 6);
    expect(large.activations).toBeGreaterThan(4096 * 64 * 28 * 28 * 4 * 2);
    expect(() => checkStepMemory(large, { bytes: 2 ** 30, source: 'train.memoryLimit 1 GB' }, 4096)).toThrow(/activations at batch 4096 .*; use a smaller data\.batchSize/);
  });

  it('stops a run that cannot fit before compiling, with what it needs and what to change; nothing is left behind', async () => {
    const pipeline = await createPipeline({ baseDir: root });
    const dir = join(root, 'cnn');
    const cnn = { name: 'cnn', data: { source: { type: 'mnist', perDigit: 20, image: true }, batchSize: 4096 }, model: { type: 'cnn', channels: [64, 128] }, optimizer: { lr: 0.01 }, train: { epochs: 1, threads: 1, memoryLimit: 1 } };
    const error = await pipeline.fit(cnn, { dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MemoryLimitError);
    expect((error as MemoryLimitError).code).toBe('MEMORY_LIMIT');
    expect((error as Error).message).toMatch(/^the train step needs about [\d.]+ GB \(weights [\d.]+ GB, gradients and optimizer state [\d.]+ GB, activations at batch 4096 [\d.]+ GB\), more than 1\.0 GB, train\.memoryLimit 1 GB; use a smaller data\.batchSize .*or set train\.memoryLimit/);
    expect(existsSync(dir)).toBe(false);
    // 'off' skips the check (the step compiles; it is never run here)
    const unchecked = await pipeline.compose({ ...cnn, train: { ...cnn.train, memoryLimit: 'off' } });
    expect(unchecked.session.trainStep.params.length).toBeGreaterThan(0);
    await unchecked.session.release();
    // a model too large: 16 million parameters with Adam need about 0.4 GB, more than a limit of 0.1 GB
    const mlp = await pipeline.fit({ ...iris, model: { type: 'mlp', hidden: [4000, 4000] }, train: { epochs: 1, threads: 1, memoryLimit: 0.1 } }, { dir: false }).catch((e: unknown) => e);
    expect((mlp as Error).message).toMatch(/weights 0\.06\d GB, gradients and optimizer state 0\.3\d\d GB.*; use a smaller model/);
  }, 60_000);

  it('hidden: [1000000] on MNIST is an option error at once, not a heap abort while building 784 million weights', async () => {
    const pipeline = await createPipeline({ baseDir: root });
    const started = performance.now();
    const error = await pipeline.fit({ ...iris, data: { source: { type: 'mnist', perDigit: 2 }, batchSize: 16 }, model: { type: 'mlp', hidden: [1000000] } }, { dir: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginConfigError);
    expect((error as Error).message).toMatch(/model\.hidden: \[1000000\] makes 7\.95e\+8 float parameters \(3\.0 GiB\), more than the 2 GB an ONNX model holds; use smaller hidden sizes/);
    expect(performance.now() - started).toBeLessThan(20_000);
  }, 60_000);

  it('caps train.threads at the cores of the machine and warns about more workers than cores', async () => {
    const cores = availableParallelism();
    const warnings: string[] = [];
    const pipeline = await createPipeline({ baseDir: root });
    const run = await pipeline.compose({ ...iris, train: { epochs: 1, threads: 64 } });
    expect(run.session.intraOpThreads).toBe(Math.min(64, cores));
    run.trainer.events$.pipe(ofType('warning')).subscribe((e) => warnings.push(`warning: ${e.message}`));
    await run.trainer.fit();
    await run.session.release();
    if (cores < 64) expect(warnings.join('\n')).toMatch(new RegExp(`warning: threads-capped \\(64 -> ${cores}\\): train\\.threads 64 is more than the ${cores} cores of this machine`));
    warnings.length = 0;
    const workers = cores + 1;
    const parallel = await pipeline.compose({ ...iris, data: { ...iris.data, batchSize: 16 * workers }, train: { epochs: 1, threads: 1, parallel: { workers } } });
    parallel.trainer.events$.pipe(ofType('warning')).subscribe((e) => warnings.push(`warning: ${e.message}`));
    await parallel.trainer.fit();
    await parallel.session.release();
    expect(warnings.join('\n')).toMatch(new RegExp(`warning: workers-oversubscribed \\(${workers} workers, ${cores} cores\\): train\\.parallel\\.workers ${workers} on ${cores} cores`));
  }, 120_000);
});
