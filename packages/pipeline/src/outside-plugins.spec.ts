// A plugin package written outside the repository (plain JavaScript in a temporary project, one
// plugin of every kind, public APIs only) named from a fit config and a tune config.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGradientRegistry } from '@anneal/autograd';
import { silentIo } from '@anneal/core';
import { loadModel } from '@anneal/onnx';
import { loadCheckpoint } from '@anneal/runtime';
import { RandomSampler } from '@anneal/search';
import { createPipeline, modelLogits, readMetrics, type Pipeline } from './index.js';
import { configData } from './run/evaluate.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');
let project: string;
let pipeline: Pipeline;

/** A temporary project: node_modules/@anneal/* and zod linked to this repository's, and the plugin package copied in. */
function makeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'anneal-outside-'));
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, '@anneal'), { recursive: true });
  for (const name of readdirSync(join(repo, 'packages'))) symlinkSync(join(repo, 'packages', name), join(modules, '@anneal', name), 'dir');
  symlinkSync(join(repo, 'node_modules', 'zod'), join(modules, 'zod'), 'dir');
  const pkg = join(modules, 'acme-anneal-plugins');
  mkdirSync(pkg);
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'acme-anneal-plugins', version: '1.0.0', type: 'module', exports: './index.mjs' }));
  copyFileSync(join(here, 'fixtures', 'acme-plugins.mjs'), join(pkg, 'index.mjs'));
  return dir;
}

const fitYaml = `name: acme
seed: 1
data:
  source: { type: mnist-parity, package: acme-anneal-plugins, perDigit: 60 }
  split: { test: 0.25, val: 0.15, seed: 0, stratify: true }
  batchSize: 32
model: { type: atan-mlp, package: acme-anneal-plugins, hidden: 32 }
loss: { type: focal, package: acme-anneal-plugins, gamma: 2 }
optimizer: { type: signum, package: acme-anneal-plugins, lr: 0.003, momentum: 0.9 }
schedules:
  - target: lr
    schedule: { type: halving, package: acme-anneal-plugins, base: 0.003, every: 40 }
metrics: [accuracy, { type: error-rate, package: acme-anneal-plugins }]
callbacks: [{ type: epoch-counter, package: acme-anneal-plugins }]
loggers: [{ type: event-counts, package: acme-anneal-plugins }]
train: { epochs: 4, threads: 1 }
plugins: [acme-anneal-plugins]
`;

beforeAll(async () => {
  project = makeProject();
  writeFileSync(join(project, 'fit.yaml'), fitYaml);
  pipeline = await createPipeline({ baseDir: project, io: silentIo });
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('a plugin package from outside the repository, one plugin of each kind', () => {
  it('is named by a fit config and trains MNIST (parity) with all of them', async () => {
    const s = await pipeline.fit(join(project, 'fit.yaml'));
    // data source: two classes; model with Atan, trainable only with the plugin's gradient rule
    expect(s.test.count).toBe(150);
    expect(defaultGradientRegistry().get('Atan')).toBeUndefined();
    expect(loadModel(s.files.model).graph.node.some((n) => n.opType === 'Atan')).toBe(true);
    expect(s.test.accuracy!).toBeGreaterThan(0.8);
    // optimizer: its state slot in the checkpoint
    const ckpt = loadCheckpoint(s.files.checkpoint);
    expect(Object.keys(ckpt.tensors)).toContain('state.signum_buffer.l0.w');
    // callback: its state is in the checkpoint
    expect(JSON.parse(ckpt.metadata['anneal.trainer']!).callbacks['epoch-counter']).toEqual({ epochs: 4 });
    // schedule: the lr halves every 40 steps
    const records = readMetrics(s.files.metrics);
    const lrs = records.filter((r) => r.kind === 'batch').map((r) => (r as { lr: number }).lr);
    expect(lrs.length).toBe(s.steps);
    lrs.forEach((lr, step) => expect(lr).toBeCloseTo(0.003 * 0.5 ** Math.floor(step / 40), 9));
    // metric: error = 1 - accuracy in every epoch line
    for (const e of records.filter((r) => r.kind === 'epoch') as { val?: { metrics: Record<string, number> } }[]) expect(e.val!.metrics.error).toBeCloseTo(1 - e.val!.metrics.accuracy!, 12);
    // logger: its file, written at close
    const counts = JSON.parse(readFileSync(join(s.runDir, 'event-counts.json'), 'utf8')) as Record<string, number>;
    expect(counts).toEqual({ 'batch:end': s.steps, 'epoch:end': 4, 'run:end': 1 });
    // loss: the reported test loss is the focal loss of the exported model's logits, computed here
    const config = pipeline.fitConfig(join(project, 'fit.yaml'));
    const { logits, labels, classes } = await modelLogits(s.files.model, (await configData(pipeline, config)).test.epochBatches(0));
    let focal = 0;
    labels.forEach((y, i) => {
      const row = Array.from(logits.subarray(i * classes, (i + 1) * classes));
      const max = Math.max(...row);
      const logp = row[y]! - max - Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0));
      focal += -((1 - Math.exp(logp)) ** 2) * logp;
    });
    expect(s.test.loss).toBeCloseTo(focal / labels.length, 4);
  }, 120_000);

  it('is named by a tune config: its sampler, pruner and storage run the study', async () => {
    writeFileSync(
      join(project, 'tune.yaml'),
      `name: acme-study
base: fit.yaml
space:
  schedules[0].schedule.base: { type: categorical, choices: [0.003, 1.0e-7] }
metric: val.accuracy
trials: 5
seed: 3
sampler: { type: acme-random, package: acme-anneal-plugins }
pruner: { type: floor, package: acme-anneal-plugins, floor: 0.7, after: 1 }
storage: { type: named-journal, package: acme-anneal-plugins, file: acme-study.jsonl }
`,
    );
    const s = (await pipeline.tune(join(project, 'tune.yaml'), { out: join(project, 'study') }))!;
    expect(existsSync(join(project, 'study', 'acme-study.jsonl'))).toBe(true);
    expect(s.trials.complete + s.trials.pruned).toBe(5);
    // the plugin sampler is random search seeded with the study seed: the same draws, trial by trial
    const expected = new RandomSampler({ seed: 3 });
    const journal = readFileSync(join(project, 'study', 'acme-study.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { op: string; value?: number });
    const trials = journal.filter((l) => l.op === 'setParam').map((l) => l.value!);
    expect(trials.length).toBe(5);
    trials.forEach((v, n) => expect(v).toBe(expected.sampleIndependent({ name: 's', direction: 'maximize', trials: [] }, { number: n } as never, 'schedules[0].schedule.base', { kind: 'categorical', choices: [0.003, 1e-7] })));
    // the plugin pruner: a trial that barely learns (lr 1e-7) is pruned after 2 epochs, lr 0.003 completes
    const tiny = trials.filter((v) => v === 1e-7).length;
    expect(tiny).toBeGreaterThan(0);
    expect(s.trials.pruned).toBe(tiny);
    expect(s.trials.complete).toBe(5 - tiny);
    expect(s.best!.params['schedules[0].schedule.base']).toBe(0.003);
    expect(s.best!.value).toBeGreaterThan(0.8);
  }, 240_000);
});
