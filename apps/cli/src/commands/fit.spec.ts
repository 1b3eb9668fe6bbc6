import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMnist, subset, writeNpy } from '@anneal/data';
import { loadCheckpoint } from '@anneal/runtime';
import { runCli as run } from '../run-cli.js';
import { killAtCheckpoint, spawnCli } from '../spawn-cli.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'anneal-fit-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function config(dir: string, name: string, body: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, body);
  return file;
}

const irisConfig = `
name: iris
seed: 1
data:
  source: { kind: iris }
  split: { test: 0.2, val: 0.2, seed: 0, stratify: true }
  batchSize: 16
model: { kind: mlp, hidden: [16] }
optimizer: { type: adam, lr: 0.01 }
metrics: [accuracy, top2]
schedules:
  - target: lr
    schedule: { type: warmup, steps: 10, inner: { type: cosine, base: 0.01, tMax: 200 } }
train: { epochs: 30, groupSize: 8, threads: 1 }
callbacks:
  modelCheckpoint: { monitor: val.accuracy, saveTopK: 2 }
`;

describe('anneal fit / evaluate / predict', () => {
  it('trains Iris from a YAML config into a run folder with metrics, checkpoints, model and charts; evaluate and predict use the saved model', async () => {
    const dir = tempDir();
    const out = join(dir, 'run');
    const r = await run(['fit', config(dir, 'iris', irisConfig), '--out', out, '--no-progress']);
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { test: { accuracy: number; count: number }; epochs: number };
    expect(summary.epochs).toBe(30);
    expect(summary.test.count).toBe(30);
    expect(summary.test.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(r.out).toMatch(/test: loss [\d.]+, accuracy [\d.]+% on 30 examples/);
    expect(r.err).toMatch(/epoch 30\/30 {2}loss [\d.]+ ± [\d.]+ {2}accuracy/);
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; lr?: number; step?: number; train?: { loss: { std: number } } });
    expect(lines.filter((l) => l.kind === 'epoch')).toHaveLength(30);
    const batchLines = lines.filter((l) => l.kind === 'batch');
    expect(batchLines).toHaveLength(30 * 6);
    expect(batchLines[4]!.lr).toBeCloseTo((4 / 10) * 0.005 * (1 + Math.cos((Math.PI * 4) / 200)), 12); // linear warmup over 10 steps of the (unshifted) cosine
    expect(lines.find((l) => l.kind === 'epoch')!.train!.loss.std).toBeGreaterThan(0);
    for (const f of ['config.json', 'model.onnx', 'checkpoints/last.safetensors', 'charts/loss.svg', 'charts/loss.png', 'charts/accuracy.png', 'charts/lr.svg']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(readFileSync(join(out, 'charts', 'loss.svg'), 'utf8')).toMatch(/^<svg/);
    const e = await run(['evaluate', out, '--top-k', '2']);
    expect(e.code, e.err).toBe(0);
    expect(e.out).toContain(`accuracy ${(summary.test.accuracy * 100).toFixed(2)}%`);
    // predict on the first 5 Iris rows (all setosa, class 0)
    const iris = (await import('@anneal/data')).loadIris();
    const x = join(dir, 'x.npy');
    writeNpy(x, subset(iris, [0, 1, 2, 3, 4]).x);
    const p = await run(['predict', join(out, 'model.onnx'), '--input', x]);
    expect(p.code, p.err).toBe(0);
    expect(p.out).toBe('0 0 0 0 0');
    // a second fit with the same name never overwrites the first: --out taken is an error
    const again = await run(['fit', config(dir, 'iris', irisConfig), '--out', out, '--no-progress']);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already holds a run; continue it with `anneal resume/);
  });

  it('falls back from CUDA to CPU with a warning event on this GPU-less machine', async () => {
    const dir = tempDir();
    const r = await run(['fit', config(dir, 'cuda', irisConfig.replace('train: { epochs: 30, groupSize: 8, threads: 1 }', 'train: { epochs: 2, groupSize: 8, threads: 1, device: cuda }')), '--out', join(dir, 'run'), '--no-progress']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/warning: device-fallback \(cuda -> cpu\)/);
  });

  it('reports config errors with their paths, and unknown schedules with the known ids', async () => {
    const dir = tempDir();
    const bad = await run(['fit', config(dir, 'bad', 'name: x\ndata: { source: { kind: mnist }, batchSize: "64" }\nmodel: { kind: mlp }\noptimizer: { lr: -1 }\ntrain: { epochs: 1, devise: cpu }\n'), '--no-progress']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('data.batchSize');
    expect(bad.err).toContain('optimizer.lr');
    expect(bad.err).toMatch(/train: Unrecognized key.*devise/);
    const unknown = await run(['fit', config(dir, 'unknown', irisConfig.replace('type: warmup, steps: 10, inner: { type: cosine', 'type: warmup, steps: 10, inner: { type: cosinus')), '--out', join(dir, 'u'), '--no-progress']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/schedules\[0\]\.schedule\.inner.*cosinus.*cosine/s);
    // the config is checked before the run folder is created: nothing is left behind
    expect(existsSync(join(dir, 'u'))).toBe(false);
    const yaml = await run(['fit', config(dir, 'broken', 'name: [unclosed\n'), '--no-progress']);
    expect(yaml.err).toMatch(/not valid YAML/);
    const missing = await run(['fit', join(dir, 'nope.yaml')]);
    expect(missing.err).toMatch(/nope\.yaml: cannot read the config/);
  });

  it('loads a third-party scheduler plugin by package name from the config (schedule plot and fit)', async () => {
    const dir = tempDir();
    const plugin = irisConfig.replace(/schedules:\n[\s\S]*?train:/, `schedules:
  - target: lr
    schedule: { type: cyclic-triangular, package: "@anneal/scheduler-plugin-example", base: 0.001, max: 0.02, stepSizeUp: 12, mode: triangular2 }
train:`);
    const file = config(dir, 'plugin', plugin);
    const plot = await run(['schedule', 'plot', file, '--out', join(dir, 'plot')]);
    expect(plot.code, plot.err).toBe(0);
    expect(plot.out).toMatch(/180 steps plotted/);
    expect(readFileSync(join(dir, 'plot.svg'), 'utf8')).toContain('cyclic-triangular');
    expect(statSync(join(dir, 'plot.png')).size).toBeGreaterThan(1000);
    const fit = await run(['fit', file, '--out', join(dir, 'run'), '--no-progress']);
    expect(fit.code, fit.err).toBe(0);
    const lrs = readFileSync(join(dir, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; lr: number }).filter((l) => l.kind === 'batch').map((l) => l.lr);
    expect(lrs[0]).toBeCloseTo(0.001, 9);
    expect(lrs[12]).toBeCloseTo(0.02, 9); // the first peak
    expect(lrs[24]).toBeCloseTo(0.001, 9);
    expect(lrs[36]).toBeCloseTo(0.001 + (0.02 - 0.001) / 2, 9); // triangular2 halves the amplitude each cycle
    const missing = await run(['schedule', 'plot', config(dir, 'missing', plugin.replace('@anneal/scheduler-plugin-example', '@nobody/not-a-plugin')), '--out', join(dir, 'p2')]);
    expect(missing.err).toMatch(/plugin package '@nobody\/not-a-plugin' could not be loaded/);
  });
});

describe('anneal resume', () => {
  it('a run killed with SIGKILL mid-epoch resumes to the same weights and metrics as an uninterrupted run', async () => {
    const dir = tempDir();
    const file = config(
      dir,
      'mnist',
      `name: resume-check
seed: 3
data:
  source: { kind: mnist, perDigit: 300 }
  split: { test: 0.2, seed: 0 }
  batchSize: 32
model: { kind: mlp, hidden: [64], dropout: 0.2 }
optimizer: { type: momentum, lr: 0.05 }
schedules:
  - target: lr
    schedule: { type: cosine, base: 0.05, tMax: 300 }
train: { epochs: 4, groupSize: 8, threads: 1, checkpointEverySteps: 8 }
callbacks:
  earlyStopping: { monitor: val.accuracy, patience: 5 }
`,
    );
    const full = spawnCli(['fit', file, '--out', join(dir, 'full'), '--no-progress']);
    expect(await full.done, full.stderr()).toBe(0);
    const killed = join(dir, 'killed');
    const victim = spawnCli(['fit', file, '--out', killed, '--no-progress']);
    // kill once the run is in its second epoch, past a mid-epoch checkpoint
    const last = join(killed, 'checkpoints', 'last.safetensors');
    const { state, seen } = await killAtCheckpoint(victim, last, (s) => s.epoch >= 1 && s.batch > 0);
    expect(await victim.done, `checkpoints seen (epoch:batch): ${seen.join(' ')}`).toBeNull(); // killed by the signal, no exit code
    const killedAt = state?.step ?? -1;
    expect(killedAt).toBeGreaterThan(66); // 3000 digits: 600 test, 300 val, 2100 train = 66 batches per epoch
    expect(existsSync(join(killed, 'model.onnx'))).toBe(false);
    const resumed = spawnCli(['resume', killed, '--no-progress']);
    expect(await resumed.done, resumed.stderr()).toBe(0);
    expect(resumed.stderr()).toMatch(/resuming from/);
    const a = loadCheckpoint(join(dir, 'full', 'checkpoints', 'last.safetensors')).tensors;
    const b = loadCheckpoint(last).tensors;
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const name of Object.keys(a)) expect(Buffer.from((b[name]!.data as Float32Array).buffer).equals(Buffer.from((a[name]!.data as Float32Array).buffer)), name).toBe(true);
    expect(readFileSync(join(killed, 'model.onnx')).equals(readFileSync(join(dir, 'full', 'model.onnx')))).toBe(true);
    const epochs = (d: string) => readFileSync(join(d, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; durationMs?: number }).map(({ durationMs: _d, ...rest }) => rest);
    expect(epochs(killed)).toEqual(epochs(join(dir, 'full')));
  }, 120_000);
});
