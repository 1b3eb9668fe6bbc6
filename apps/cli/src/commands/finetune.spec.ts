import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { readNpy } from '@anneal/data';
import { loadModel, tensorToValue } from '@anneal/onnx';
import { ocrModels } from '@anneal/testing';
import { runCli as run } from '../run-cli.js';
import { killAtCheckpoint, spawnCli } from '../spawn-cli.js';

const here = dirname(fileURLToPath(import.meta.url));
const resnet = join(here, '..', '..', '..', '..', 'packages', 'transfer', 'fixtures', 'torch', 'resnet-mini', 'model.onnx');

/** An image folder of two classes: warm (red-dominant) and cool (blue-dominant) noisy PNG/JPEG images. */
async function colourFolder(root: string, perClass = 10): Promise<string> {
  const dir = join(root, 'images');
  for (const [cls, rgb] of [['cool', [40, 60, 200]], ['warm', [210, 70, 30]]] as const) {
    mkdirSync(join(dir, cls), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const px = Buffer.alloc(40 * 40 * 3);
      for (let p = 0; p < 40 * 40; p++) for (let c = 0; c < 3; c++) px[p * 3 + c] = Math.max(0, Math.min(255, rgb[c]! + Math.round(60 * Math.sin(p * 0.37 + i * 1.3 + c))));
      const img = sharp(px, { raw: { width: 40, height: 40, channels: 3 } });
      await (i % 2 ? img.jpeg().toFile(join(dir, cls, `${i}.jpg`)) : img.png().toFile(join(dir, cls, `${i}.png`)));
    }
  }
  return dir;
}

function writeConfig(dir: string, name: string, text: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

/** An lp-ft config on the ResNet fixture over an image folder: the top 3 blocks with layer decay 0.5, no feature cache. */
function lpftConfig(dir: string, images: string, header: string, o: { probe: string; optimizer: string; train: string }): string {
  return writeConfig(dir, 'lpft', `
${header}
mode: lp-ft
backbone: { path: ${JSON.stringify(resnet)} }
data:
  source: { kind: images, dir: ${JSON.stringify(images)} }
  preprocess: { size: [32, 32], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }
  split: { test: 0.3, stratify: true }
  batchSize: 7
probe: ${o.probe}
freeze: { unfreezeTop: 3 }
layerDecay: 0.5
optimizer: ${o.optimizer}
train: ${o.train}
cache: { enabled: false }
`);
}

describe('anneal features', () => {
  it('caches PaddleOCR features of MNIST digits and reuses them; --device cuda falls back to cpu with a warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-features-'));
    const args = ['features', ocrModels.classifier, 'mnist:3', '--size', '48x192', '--fit', 'contain', '--position', 'left', '--invert', '--mean', '0.5', '--std', '0.5', '--cache-dir', join(dir, 'cache'), '--no-progress'];
    const first = await run([...args, '--out', join(dir, 'npy'), '--device', 'cuda:1']);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/features: 30 x 200 in [\d.]+ s, [\d.]+ images\/s on cpu/);
    expect(first.err).toMatch(/warning: device-fallback \(cuda -> cpu\)/);
    expect(readNpy(join(dir, 'npy', 'features.npy')).dims).toEqual([30, 200]);
    expect(readNpy(join(dir, 'npy', 'labels.npy')).dims).toEqual([30]);
    const second = await run(args);
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/features: 30 x 200 \(from cache\)/);
    const bad = await run(['features', ocrModels.classifier, 'mnist:1', '--size', '48x192', '--layout', 'NHWC', '--cache-dir', join(dir, 'cache'), '--no-progress']);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/InputLayoutError.*backbone input 'x'.*layout: 'NCHW'/s);
  });
});

describe('anneal finetune', () => {
  it('features mode: a linear probe on the PaddleOCR classifier, exported as one backbone+head model that plain ORT scores identically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-finetune-'));
    const config = writeConfig(dir, 'probe', `
name: probe
mode: features
backbone: { path: ${JSON.stringify(ocrModels.classifier)} }
data:
  source: { kind: mnist, perDigit: 12 }
  preprocess: { size: [48, 192], fit: contain, position: left, invert: true, mean: [0.5], std: [0.5] }
  split: { test: 0.25, stratify: true }
  batchSize: 30
optimizer: { type: adam, lr: 0.02 }
train: { epochs: 15, threads: 1 }
cache: { dir: ${JSON.stringify(join(dir, 'cache'))} }
`);
    const out = join(dir, 'run');
    const r = await run(['finetune', config, '--out', out, '--no-progress']);
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.backbone.cutAt).toBe('reshape2_0.tmp_0');
    expect(summary.features.train).toMatchObject({ examples: 78, fromCache: false }); // 120: 30 test, 12 val (the default 10%), 78 train
    const head = summary.phases[0];
    // 10 classes from ~8 examples each: well above chance (10%)
    expect(head.test.accuracy).toBeGreaterThan(0.3);
    expect(summary.exported.accuracy).toBeCloseTo(head.test.accuracy, 10);
    expect(summary.exported.count).toBe(30);
    expect(r.out).toMatch(/model\.onnx \(backbone \+ head\) with plain ONNX Runtime: test accuracy/);
    for (const f of ['model.onnx', 'metrics.jsonl', 'config.json']) expect(existsSync(join(out, f)), f).toBe(true);
    // a second run reads the cache
    const before = readFileSync(join(out, 'model.onnx'));
    const taken = await run(['finetune', config, '--out', out, '--no-progress']);
    expect(taken.code).toBe(2);
    expect(taken.err).toMatch(/already holds a run/);
    expect(readFileSync(join(out, 'model.onnx')).equals(before)).toBe(true);
    const resumed = await run(['resume', out, '--no-progress']);
    expect(resumed.code).toBe(2);
    expect(resumed.err).toMatch(/this finetune run has finished \(summary.json\); nothing to resume/);
    // anneal evaluate on the run folder preprocesses the images as the run did and scores model.onnx
    const evaluated = await run(['evaluate', out]);
    expect(evaluated.code, evaluated.err).toBe(0);
    expect(evaluated.out).toContain(`on test (30 examples): loss ${summary.exported.loss.toFixed(4)}, accuracy ${(summary.exported.accuracy * 100).toFixed(2)}%`);
    const train = await run(['evaluate', out, '--split', 'train']);
    expect(train.out).toMatch(/on train \(78 examples\)/);
    expect((await run(['evaluate', out, '--split', 'val'])).out).toMatch(/on val \(12 examples\)/);
    const again = await run(['finetune', config, '--out', join(dir, 'run2'), '--no-progress']);
    expect(again.code, again.err).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'run2', 'summary.json'), 'utf8')).features.train.fromCache).toBe(true);
  });

  it('lp-ft on a PyTorch-exported ResNet from a PNG/JPEG folder: probe, then the top blocks with layer decay; frozen blocks unchanged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-lpft-'));
    const images = await colourFolder(dir);
    const config = lpftConfig(dir, images, 'name: lpft', { probe: '{ epochs: 10, lr: 0.05 }', optimizer: '{ type: adam, lr: 0.003 }', train: '{ epochs: 4, threads: 1 }' });
    const out = join(dir, 'run');
    const r = await run(['finetune', config, '--out', out, '--no-progress']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/fine-tuning \d+ of \d+ parameter tensors \(3 of 8 backbone blocks\), BatchNorm frozen, layer decay 0.5/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.phases.map((p: { phase: string }) => p.phase)).toEqual(['features', 'finetune']);
    expect(summary.backbone.cutAt).toBe('/Flatten_output_0');
    const ft = summary.phases[1];
    expect(ft.test.accuracy).toBe(1);
    expect(summary.exported.accuracy).toBe(1);
    expect(readdirSync(join(out, 'finetune'))).toContain('model.onnx');
    // frozen lower blocks keep the pre-trained weights bit for bit; the top blocks moved
    const source = loadModel(resnet).graph.initializer;
    const exported = loadModel(join(out, 'finetune', 'model.onnx')).graph.initializer;
    const values = (ts: typeof source, name: string) => Array.from(tensorToValue(ts.find((t) => t.name === name)!).data as Float32Array);
    expect(values(exported, 'conv1.weight')).toEqual(values(source, 'conv1.weight'));
    expect(values(exported, 'layer1.0.conv1.weight')).toEqual(values(source, 'layer1.0.conv1.weight'));
    expect(values(exported, 'layer3.1.conv2.weight')).not.toEqual(values(source, 'layer3.1.conv2.weight'));
  });

  it('an lp-ft run killed with SIGKILL in its fine-tuning phase resumes to the same model and metrics as an uninterrupted run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-lpft-resume-'));
    const images = await colourFolder(dir, 30);
    const config = lpftConfig(dir, images, 'name: lpft-resume\nseed: 4', { probe: '{ epochs: 5, lr: 0.05 }', optimizer: '{ type: momentum, lr: 0.01 }', train: '{ epochs: 8, threads: 1, groupSize: 2, checkpointEverySteps: 2 }' });
    const full = join(dir, 'full');
    const whole = spawnCli(['finetune', config, '--out', full, '--no-progress']);
    expect(await whole.done, whole.stderr()).toBe(0);
    const killed = join(dir, 'killed');
    const victim = spawnCli(['finetune', config, '--out', killed, '--no-progress']);
    const { state, seen } = await killAtCheckpoint(victim, join(killed, 'finetune', 'checkpoints', 'last.safetensors'), (s) => s.epoch >= 2 && s.batch > 0);
    expect(await victim.done, `checkpoints seen (epoch:batch): ${seen.join(' ')}\n${victim.stderr()}`).toBeNull();
    expect(state!.step).toBeGreaterThan(12);
    expect(existsSync(join(killed, 'finetune', 'model.onnx'))).toBe(false);
    const resumed = spawnCli(['resume', killed, '--no-progress']);
    expect(await resumed.done, resumed.stderr()).toBe(0);
    expect(resumed.stderr()).toMatch(/head on features: finished before .*probe\), kept/);
    expect(resumed.stderr()).toMatch(/resuming from/);
    expect(readFileSync(join(killed, 'finetune', 'model.onnx')).equals(readFileSync(join(full, 'finetune', 'model.onnx')))).toBe(true);
    const lines = (d: string) => readFileSync(join(d, 'finetune', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { durationMs?: number }).map(({ durationMs: _d, ...rest }) => rest);
    expect(lines(killed)).toEqual(lines(full));
    const [a, b] = [full, killed].map((d) => JSON.parse(readFileSync(join(d, 'summary.json'), 'utf8')) as { phases: { phase: string; test: unknown }[]; exported: { accuracy: number; loss: number } });
    expect(b!.phases.map((p) => [p.phase, p.test])).toEqual(a!.phases.map((p) => [p.phase, p.test]));
    expect(b!.exported).toMatchObject({ accuracy: a!.exported.accuracy, loss: a!.exported.loss });
  }, 120_000);

  it('finetune with data.augment: images augmented in a worker; a run killed mid-epoch resumes to the same model and metrics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-ft-augment-'));
    const images = await colourFolder(dir, 30);
    const config = (augment: string) => writeConfig(dir, augment ? 'aug' : 'plain', `
name: aug
seed: 4
mode: finetune
backbone: { path: ${JSON.stringify(resnet)} }
data:
  source: { type: images, dir: ${JSON.stringify(images)} }
  preprocess: { size: [32, 32], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }
  ${augment}
  split: { test: 0.3, stratify: true }
  batchSize: 7
freeze: { unfreezeTop: 3 }
optimizer: { type: momentum, lr: 0.01 }
train: { epochs: 8, threads: 1, groupSize: 2, checkpointEverySteps: 2 }
cache: { enabled: false }
`);
    const augmented = config('augment: { crop: { scale: [0.5, 1] }, flip: 0.5, rotate: 10, jitter: { brightness: 0.2, contrast: 0.2, saturation: 0.2, hue: 0.02 }, workers: 2 }');
    const full = join(dir, 'full');
    const whole = spawnCli(['finetune', augmented, '--out', full, '--no-progress']);
    expect(await whole.done, whole.stderr()).toBe(0);
    expect(whole.stderr()).toMatch(/augmenting 36 training images \(crop, flip, rotate, jitter\) in 2 worker threads/);
    const killed = join(dir, 'killed');
    const victim = spawnCli(['finetune', augmented, '--out', killed, '--no-progress']);
    const { state, seen } = await killAtCheckpoint(victim, join(killed, 'checkpoints', 'last.safetensors'), (s) => s.epoch >= 2 && s.batch > 0);
    expect(await victim.done, `checkpoints seen (epoch:batch): ${seen.join(' ')}\n${victim.stderr()}`).toBeNull();
    expect(state!.batch).toBeGreaterThan(0); // killed inside an epoch: the resume starts mid-epoch, at batch `from`
    const resumed = spawnCli(['resume', killed, '--no-progress']);
    expect(await resumed.done, resumed.stderr()).toBe(0);
    expect(resumed.stderr()).toMatch(/resuming from/);
    expect(readFileSync(join(killed, 'model.onnx')).equals(readFileSync(join(full, 'model.onnx')))).toBe(true);
    const lines = (d: string) => readFileSync(join(d, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { durationMs?: number }).map(({ durationMs: _d, ...rest }) => rest);
    expect(lines(killed)).toEqual(lines(full));
    // the same run without augmentation trains on other images: other losses
    const plain = await run(['finetune', config(''), '--out', join(dir, 'plain'), '--no-progress']);
    expect(plain.code, plain.err).toBe(0);
    const firstLoss = (d: string) => (lines(d)[0] as { kind: string; loss: number }).loss;
    expect(firstLoss(join(dir, 'plain'))).not.toBe(firstLoss(full));
  }, 180_000);

  it('finetune with mixup and cutmix: soft targets in training, class ids in evaluation; a run killed mid-epoch resumes to the same model and metrics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-ft-mix-'));
    const images = await colourFolder(dir, 30);
    const config = (augment: string) => writeConfig(dir, augment.includes('mixup') ? 'mix' : 'nomix', `
name: mix
seed: 5
mode: finetune
backbone: { path: ${JSON.stringify(resnet)} }
data:
  source: { type: images, dir: ${JSON.stringify(images)} }
  preprocess: { size: [32, 32], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }
  augment: ${augment}
  split: { val: 0.2, test: 0.3, stratify: true }
  batchSize: 6
freeze: { unfreezeTop: 3 }
loss: { type: cross-entropy, labelSmoothing: 0.1 }
optimizer: { type: momentum, lr: 0.01 }
train: { epochs: 6, threads: 1, groupSize: 2, checkpointEverySteps: 2 }
cache: { enabled: false }
`);
    const mixed = config('{ flip: 0.5, mixup: 0.4, cutmix: 1.0, switchProb: 0.5, mixProb: 0.9 }');
    const full = join(dir, 'full');
    const whole = spawnCli(['finetune', mixed, '--out', full, '--no-progress']);
    expect(await whole.done, whole.stderr()).toBe(0);
    expect(whole.stderr()).toMatch(/augmenting \d+ training images \(flip, mixup α 0\.4 \/ cutmix α 1 \(cutmix on 50% of mixed batches, 90% of batches mixed\)\) in 1 worker thread/);
    expect(whole.stderr()).toMatch(/no training accuracy is reported/);
    type Line = { kind: string; epoch?: number; loss?: number; train?: { loss: { mean: number }; metrics: Record<string, number> }; val?: { loss: { mean: number }; metrics: Record<string, number> }; durationMs?: number };
    const lines = (d: string) => readFileSync(join(d, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line).map(({ durationMs: _d, ...rest }) => rest);
    const epochs = lines(full).filter((l) => l.kind === 'epoch');
    expect(epochs).toHaveLength(6);
    for (const e of epochs) {
      // training: a finite soft-target loss and no accuracy (it would read mixed targets as class ids); validation: class ids
      expect(Number.isFinite(e.train!.loss.mean) && e.train!.loss.mean > 0).toBe(true);
      expect(e.train!.metrics.accuracy).toBeUndefined();
      expect(e.val!.metrics.accuracy).toBeGreaterThanOrEqual(0);
      expect(e.val!.metrics.accuracy).toBeLessThanOrEqual(1);
    }
    expect(epochs.at(-1)!.val!.metrics.accuracy).toBeGreaterThanOrEqual(0.75); // warm vs cool colours: learnt through the mixing
    const summary = JSON.parse(readFileSync(join(full, 'summary.json'), 'utf8')) as { exported: { accuracy: number; count: number } };
    expect(summary.exported.count).toBe(18);
    expect(summary.exported.accuracy).toBeGreaterThanOrEqual(0.75);
    const killed = join(dir, 'killed');
    const victim = spawnCli(['finetune', mixed, '--out', killed, '--no-progress']);
    const { state, seen } = await killAtCheckpoint(victim, join(killed, 'checkpoints', 'last.safetensors'), (s) => s.epoch >= 2 && s.batch > 0);
    expect(await victim.done, `checkpoints seen (epoch:batch): ${seen.join(' ')}\n${victim.stderr()}`).toBeNull();
    expect(state!.batch).toBeGreaterThan(0);
    const resumed = spawnCli(['resume', killed, '--no-progress']);
    expect(await resumed.done, resumed.stderr()).toBe(0);
    expect(resumed.stderr()).toMatch(/resuming from/);
    expect(readFileSync(join(killed, 'model.onnx')).equals(readFileSync(join(full, 'model.onnx')))).toBe(true);
    expect(lines(killed)).toEqual(lines(full));
    // the same augmentation without mixing trains on other batches: other losses
    const plain = await run(['finetune', config('{ flip: 0.5 }'), '--out', join(dir, 'plain'), '--no-progress']);
    expect(plain.code, plain.err).toBe(0);
    const firstLoss = (d: string) => lines(d).find((l) => l.kind === 'batch')?.loss;
    expect(firstLoss(join(dir, 'plain'))).not.toBe(firstLoss(full));
  }, 240_000);

  it('refuses mixup / cutmix where they cannot apply, before any folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-ft-mix-bad-'));
    const images = await colourFolder(dir, 2);
    const source = `source: { type: images, dir: ${JSON.stringify(images)} }, preprocess: { size: [32, 32] }`;
    const cases: [string, string, RegExp][] = [
      ['features', `mode: features\ndata: { ${source}, augment: { mixup: 0.2 } }`, /data\.augment: mode 'features' trains the head on backbone features computed once and cached/],
      ['mnist', 'mode: finetune\ndata: { source: { type: mnist, limit: 20 }, preprocess: { size: [32, 32] }, augment: { cutmix: 1 } }', /data\.augment: .*data\.source must be an image folder/],
      ['bce', `mode: finetune\ndata: { ${source}, augment: { mixup: 0.2 } }\nloss: { type: bce-with-logits }`, /loss: data\.augment\.mixup mixes the labels of two images into soft targets, .*loss 'bce-with-logits' cannot take them. Use loss: \{ type: cross-entropy \}/],
      ['weights', `mode: lp-ft\ndata: { ${source}, augment: { cutmix: 1 } }\nloss: { type: cross-entropy, classWeights: [1, 2] }`, /loss\.classWeights: class weights do not apply to mixed soft targets/],
      ['prob alone', `mode: finetune\ndata: { ${source}, augment: { flip: 0.5, mixProb: 0.5 } }`, /data\.augment\.mixProb: it only applies with batch mixing; set data\.augment\.mixup and\/or data\.augment\.cutmix/],
      ['range', `mode: finetune\ndata: { ${source}, augment: { mixup: 0, cutmix: -1, switchProb: 2 } }`, /^(?=[^]*data\.augment\.mixup: 0 must be a Beta α > 0)(?=[^]*data\.augment\.cutmix: -1 must be a Beta α > 0)(?=[^]*data\.augment\.switchProb: 2 is not a probability in \[0, 1\])/],
    ];
    for (const [name, body, message] of cases) {
      const file = writeConfig(dir, name.replace(' ', '-'), `${body}\nbackbone: { path: ${JSON.stringify(resnet)} }\noptimizer: { lr: 0.01 }\ntrain: { epochs: 1 }\ncache: { enabled: false }\n`);
      const r = await run(['finetune', file, '--out', join(dir, `run-${name.replace(' ', '-')}`), '--no-progress']);
      expect(r.code, `${name}: ${r.err}`).toBe(2);
      expect(r.err, name).toMatch(message);
      expect(existsSync(join(dir, `run-${name.replace(' ', '-')}`)), name).toBe(false);
    }
  });

  it('refuses data.augment in features mode, on sources that are not image folders and with fit contain, before any folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-ft-augment-bad-'));
    const images = await colourFolder(dir, 2);
    const cases: [string, string, RegExp][] = [
      ['features', `mode: features\ndata: { source: { type: images, dir: ${JSON.stringify(images)} }, preprocess: { size: [32, 32] }, augment: { flip: 0.5 } }`, /data\.augment: mode 'features' trains the head on backbone features computed once and cached, and cached features cannot be augmented/],
      ['mnist', 'mode: finetune\ndata: { source: { type: mnist, limit: 20 }, preprocess: { size: [32, 32] }, augment: { flip: 0.5 } }', /data\.augment: .*data\.source must be an image folder/],
      ['contain', `mode: finetune\ndata: { source: { type: images, dir: ${JSON.stringify(images)} }, preprocess: { size: [32, 32], fit: contain }, augment: { flip: 0.5 } }`, /data\.preprocess\.fit: .*fit 'contain'/],
      ['range', `mode: finetune\ndata: { source: { type: images, dir: ${JSON.stringify(images)} }, preprocess: { size: [32, 32] }, augment: { flip: 1.5, crop: { scale: [0, 1] }, blur: 2 } }`, /^(?=[^]*data\.augment\.flip: 1\.5 is not a probability in \[0, 1\])(?=[^]*data\.augment\.crop\.scale: \[0,1\] must satisfy 0 < min)(?=[^]*data\.augment: Unrecognized key: "blur")/],
    ];
    for (const [name, body, message] of cases) {
      const file = writeConfig(dir, name, `${body}\nbackbone: { path: ${JSON.stringify(resnet)} }\noptimizer: { lr: 0.01 }\ntrain: { epochs: 1 }\ncache: { enabled: false }\n`);
      const r = await run(['finetune', file, '--out', join(dir, `run-${name}`), '--no-progress']);
      expect(r.code, `${name}: ${r.err}`).toBe(2);
      expect(r.err, name).toMatch(message);
      expect(existsSync(join(dir, `run-${name}`)), name).toBe(false);
    }
  });

  it('features mode on an image folder: a cache hit skips decoding the training images; touching a file invalidates it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-ft-cache-'));
    const images = await colourFolder(dir, 6);
    const config = writeConfig(dir, 'feat', `
mode: features
backbone: { path: ${JSON.stringify(resnet)} }
data: { source: { kind: images, dir: ${JSON.stringify(images)} }, preprocess: { size: [32, 32] }, split: { test: 0.25, stratify: true }, batchSize: 9 }
optimizer: { lr: 0.02 }
train: { epochs: 3, threads: 1 }
cache: { dir: ${JSON.stringify(join(dir, 'cache'))} }
`);
    const first = await run(['finetune', config, '--out', join(dir, 'a'), '--no-progress']);
    expect(first.code, first.err).toBe(0);
    expect(first.err).toMatch(/decoding train images: 8 examples/); // 12 images: 3 test, 1 val, 8 train
    const second = await run(['finetune', config, '--out', join(dir, 'b'), '--no-progress']);
    expect(second.code, second.err).toBe(0);
    expect(second.err).toMatch(/features train: 8 x 32 from cache/);
    expect(second.err).not.toMatch(/decoding train images/);
    // same results from cached features
    const acc = (d: string) => JSON.parse(readFileSync(join(dir, d, 'summary.json'), 'utf8')).exported.accuracy;
    expect(acc('b')).toBe(acc('a'));
    // a changed image (new mtime) is a different dataset: recomputed
    const file = join(images, 'warm', '0.png');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const third = await run(['finetune', config, '--out', join(dir, 'c'), '--no-progress']);
    expect(third.code, third.err).toBe(0);
    expect(third.err).toMatch(/features (train|test): \d+ x 32 in [\d.]+ s/);
  });

  it('stops on a corrupt image naming the file, and on bad config fields with their paths', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-ft-bad-'));
    const images = await colourFolder(dir, 3);
    writeFileSync(join(images, 'warm', 'broken.png'), Buffer.from('not a png at all, just bytes'));
    const config = writeConfig(dir, 'bad', `
mode: features
backbone: { path: ${JSON.stringify(resnet)} }
data: { source: { kind: images, dir: ${JSON.stringify(images)} }, preprocess: { size: [32, 32] } }
optimizer: { lr: 0.01 }
train: { epochs: 1 }
cache: { enabled: false }
`);
    const r = await run(['finetune', config, '--out', join(dir, 'run'), '--no-progress']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/ImageDecodeError.*broken\.png/s);
    const invalid = writeConfig(dir, 'invalid', `
mode: sideways
backbone: { path: ${JSON.stringify(resnet)} }
data: { source: { kind: mnist }, preprocess: { size: [32] } }
optimizer: { lr: -1 }
train: { epochs: 1 }
`);
    const v = await run(['finetune', invalid, '--no-progress']);
    expect(v.code).toBe(2);
    expect(v.err).toMatch(/mode:/);
    expect(v.err).toMatch(/data\.preprocess\.size/);
    expect(v.err).toMatch(/optimizer\.lr/);
  });
});
