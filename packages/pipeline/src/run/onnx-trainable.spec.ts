import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildMlp } from '@anneal/engine';
import { saveModel, tensorToValue } from '@anneal/onnx';
import { PluginConfigError } from '@anneal/plugin';
import { createPipeline } from '../pipeline.js';

const root = mkdtempSync(join(tmpdir(), 'anneal-trainable-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A 3-layer Iris MLP (fc0, fc1, fc2) saved as an ONNX file. */
const modelPath = join(root, 'mlp.onnx');
saveModel(modelPath, buildMlp({ sizes: [4, 8, 8, 3], seed: 1 }));
const config = (trainable?: string[]) => ({ name: 'frozen', data: { source: { type: 'iris' }, batchSize: 16 }, model: { type: 'onnx', path: modelPath, ...(trainable ? { trainable } : {}) }, optimizer: { type: 'adam', lr: 0.05 }, train: { epochs: 2, threads: 1 } });

describe('model.trainable of an onnx model', () => {
  it('trains only the named initializers: the compiled step has their parameters and optimizer state alone, and the others keep their values', async () => {
    const pipeline = await createPipeline({ baseDir: root });
    const run = await pipeline.compose(config(['fc2.weight', 'fc2.bias']));
    expect([...run.session.trainStep.params].sort()).toEqual(['fc2.bias', 'fc2.weight']);
    expect(run.session.update.state.map((s) => s.input).sort()).toEqual(['state.exp_avg.fc2.bias', 'state.exp_avg.fc2.weight', 'state.exp_avg_sq.fc2.bias', 'state.exp_avg_sq.fc2.weight']);
    const before = Object.fromEntries(run.model.graph.initializer.map((t) => [t.name, Array.from(tensorToValue(t).data as Float32Array)]));
    await run.trainer.fit();
    const state = await run.session.stateValues();
    expect(Object.keys(state).filter((k) => k.startsWith('fc'))).toEqual(expect.arrayContaining(['fc2.weight', 'fc2.bias']));
    expect(Object.keys(state).some((k) => k.includes('fc0') || k.includes('fc1'))).toBe(false);
    expect(Array.from(state['fc2.weight']!.data as Float32Array)).not.toEqual(before['fc2.weight']);
    // the exported model carries the frozen layers exactly as they were
    const exported = await run.session.exportInference(run.model, { weights: run.weights });
    for (const name of ['fc0.weight', 'fc0.bias', 'fc1.weight', 'fc1.bias']) expect(Array.from(tensorToValue(exported.graph.initializer.find((t) => t.name === name)!).data as Float32Array), name).toEqual(before[name]);
    await run.session.release();
    // without trainable, every float initializer trains
    const all = await pipeline.compose(config());
    expect(all.session.trainStep.params).toHaveLength(6);
    await all.session.release();
  });

  it("an unknown name is a config error at model.trainable that lists the model's initializers", async () => {
    const pipeline = await createPipeline({ baseDir: root });
    const error = await pipeline.fit(config(['nope']), { dir: join(root, 'nope') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginConfigError);
    expect((error as Error).message).toMatch(/model\.trainable: 'nope' is not a trainable float initializer of .*mlp\.onnx; its parameters are fc0\.weight, fc0\.bias, fc1\.weight, fc1\.bias, fc2\.weight, fc2\.bias/);
    expect(existsSync(join(root, 'nope'))).toBe(false); // the run folder it created is gone
  });
});
