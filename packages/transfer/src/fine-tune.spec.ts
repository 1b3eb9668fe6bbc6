import { describe, expect, it } from 'vitest';
import { UnsupportedGradientError } from '@anneal/autograd';
import { TrainSession } from '@anneal/engine';
import { DataType, GraphBuilder, tensors, tensorToValue, type ModelProto, type TensorValue } from '@anneal/onnx';
import { adam, sgd } from '@anneal/optim';
import { ocrModels } from '@anneal/testing';
import { attachHead } from './attach.js';
import { loadBackbone } from './backbone.js';
import { listBlocks } from './blocks.js';
import { FreezeError } from './errors.js';
import { extractFeatures } from './features.js';
import { createFineTuneSession } from './fine-tune.js';
import { layerDecayGroups, selectTrainable } from './freeze.js';
import { buildHead } from './head.js';

/** Two classes of synthetic text-line-like images: horizontal vs vertical stripes, with jittered phase. */
function stripes(n: number, seed = 0): { x: TensorValue; labels: TensorValue } {
  const [h, w] = [48, 192];
  const data = new Float32Array(n * 3 * h * w);
  const y = new BigInt64Array(n);
  for (let k = 0; k < n; k++) {
    const cls = k % 2;
    y[k] = BigInt(cls);
    const phase = ((k * 7 + seed) % 5) * 0.9;
    for (let c = 0; c < 3; c++)
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++) data[((k * 3 + c) * h + i) * w + j] = Math.sin((cls ? j : i) * 0.6 + phase);
  }
  return { x: { dataType: DataType.FLOAT, dims: [n, 3, h, w], data }, labels: { dataType: DataType.INT64, dims: [n], data: y } };
}

describe('freezing by depth and pattern on the PaddleOCR classifier + a new head', () => {
  const backbone = loadBackbone(ocrModels.classifier);
  const model = attachHead(backbone, buildHead({ inputDim: 200, classes: 2 }));

  it('groups each conv layer with its BatchNorm into one block, input side first', () => {
    const blocks = listBlocks(model, { params: selectTrainable(model).blocks.flatMap((b) => b.params) });
    expect(blocks.length).toBeGreaterThan(20);
    expect(blocks[0]!.params[0]).toMatch(/^conv2d_\d+\.w_0$/);
    expect(blocks[0]!.params.some((p) => p.startsWith('batch_norm'))).toBe(true);
    for (let i = 1; i < blocks.length; i++) expect(blocks[i]!.depth).toBeGreaterThan(blocks[i - 1]!.depth);
  });

  it('unfreezeTop, freezeBelow and patterns select the right tensors', () => {
    const probe = selectTrainable(model, { unfreezeTop: 0 });
    expect(probe.trainable).toEqual(['head.fc0.weight', 'head.fc0.bias']);
    const n = probe.blocks.length;
    const top2 = selectTrainable(model, { unfreezeTop: 2 });
    expect(top2.trainable).toEqual([...probe.blocks[n - 2]!.params, ...probe.blocks[n - 1]!.params, 'head.fc0.weight', 'head.fc0.bias'].sort((a, b) => top2.trainable.indexOf(a) - top2.trainable.indexOf(b)));
    expect(top2.blocks.filter((b) => b.trainable).map((b) => b.index)).toEqual([n - 2, n - 1]);
    const below = selectTrainable(model, { freezeBelow: n - 3 });
    expect(below.blocks.filter((b) => b.trainable).map((b) => b.index)).toEqual([n - 3, n - 2, n - 1]);
    const noBn = selectTrainable(model, { freeze: ['^batch_norm'] });
    expect(noBn.trainable.some((p) => p.startsWith('batch_norm'))).toBe(false);
    expect(noBn.trainable).toContain(probe.blocks[0]!.params[0]);
    const forced = selectTrainable(model, { unfreezeTop: 0, train: ['^batch_norm_0\\.'] });
    expect(forced.trainable).toEqual(expect.arrayContaining(['batch_norm_0.w_0', 'batch_norm_0.b_0', 'head.fc0.weight']));
    expect(() => selectTrainable(model, { unfreezeTop: n + 1 })).toThrow(FreezeError);
    expect(() => selectTrainable(model, { freeze: ['^resnet'] })).toThrow(/matches no parameter/);
  });

  it('layer-wise lr decay scales each trained block by decay^(distance from the head)', () => {
    const sel = selectTrainable(model, { unfreezeTop: 3 });
    const groups = layerDecayGroups(sel, 0.5);
    const n = sel.blocks.length;
    expect(groups.map((g) => [g.name, g.lrScale])).toEqual([
      ['head', 1],
      [`block_${n - 3}`, 0.125],
      [`block_${n - 2}`, 0.25],
      [`block_${n - 1}`, 0.5],
    ]);
    expect(() => layerDecayGroups(sel, 1.5)).toThrow(FreezeError);
  });
});

describe('fine-tuning through the PaddleOCR MobileNetV3 (Conv/BN/HardSwish/HardSigmoid/SE)', () => {
  it('trains the top blocks with frozen BatchNorm and discriminative lrs; frozen tensors stay bit-identical', async () => {
    const backbone = loadBackbone(ocrModels.classifier);
    const head = buildHead({ inputDim: 200, classes: 2, seed: 3 });
    const { x, labels } = stripes(16);
    const ft = await createFineTuneSession({
      backbone,
      head,
      freeze: { unfreezeTop: 6 },
      layerDecay: 0.7,
      optimizer: { optimizer: adam(), lr: 3e-3 },
      loss: { kind: 'cross-entropy' },
      sample: { x, labels },
      intraOpThreads: 2,
    });
    const opsOnPath = new Set(ft.model.graph.node.map((n) => n.opType));
    for (const op of ['Conv', 'BatchNormalization', 'HardSigmoid', 'Mul', 'GlobalAveragePool']) expect(opsOnPath.has(op), op).toBe(true);
    expect(ft.session.trainStep.runningStats).toEqual([]); // frozen BN: nothing carried
    expect(Object.keys(ft.session.trainStep.hyperparameters).filter((k) => k.startsWith('hp.lr.'))).toHaveLength(7);
    const before = await ft.session.parameters();
    const frozenBefore = Object.fromEntries(ft.selection.frozen.slice(0, 5).map((p) => [p, ft.model.graph.initializer.find((t) => t.name === p)!]));
    const losses: number[] = [];
    for (let i = 0; i < 25; i++) losses.push((await ft.session.step({ x, labels })).loss);
    console.log(`PaddleOCR fine-tune losses: ${losses[0]!.toFixed(4)} -> ${losses[losses.length - 1]!.toFixed(4)}`);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 0.3);
    const after = await ft.session.parameters();
    for (const p of ft.selection.trainable) expect(after[p]!.data, p).not.toEqual(before[p]!.data);
    const exported = await ft.session.exportInference(ft.model);
    for (const [p, t] of Object.entries(frozenBefore)) {
      const now = exported.graph.initializer.find((i) => i.name === p)!;
      expect(tensorToValue(now).data, p).toEqual(tensorToValue(t).data);
    }
    await ft.session.release();
  });
});

/** A backbone with an op that has no gradient rule (Atan) between its conv weight and the feature. */
function atanBackbone(): ModelProto {
  const b = new GraphBuilder({ opset: 17, name: 'atan-net' });
  const x = b.input('x', DataType.FLOAT, ['N', 1, 8, 8]);
  const w = b.initializer(tensors.float('conv.weight', [4, 1, 3, 3], Array.from({ length: 36 }, (_, i) => Math.sin(i))));
  const h = b.op('Conv', [x, w], { pads: [1, 1, 1, 1] }, { name: 'conv' });
  const a = b.op('Atan', [h], {}, { name: 'squash' });
  const p = b.op('GlobalAveragePool', [a], {}, { name: 'pool' });
  const f = b.op('Flatten', [p], { axis: 1 }, { name: 'flat', output: 'feat' });
  const fc = b.initializer(tensors.float('fc.weight', [4, 2], [1, 0, 0, 1, 1, 0, 0, 1]));
  b.op('MatMul', [f, fc], {}, { output: 'logits' });
  b.output('logits', DataType.FLOAT, ['N', 2]);
  return b.build();
}

describe('a backbone with an op that has no gradient rule', () => {
  const data = { x: { dataType: DataType.FLOAT, dims: [4, 1, 8, 8], data: Float32Array.from({ length: 256 }, (_, i) => Math.cos(i * 0.3)) } as TensorValue, labels: { dataType: DataType.INT64, dims: [4], data: BigInt64Array.from([0n, 1n, 0n, 1n]) } as TensorValue };

  it('still extracts features and trains a head on top of it', async () => {
    const backbone = loadBackbone(atanBackbone());
    expect(backbone.cutAt).toBe('feat');
    const { dataset } = await extractFeatures(backbone, { x: data.x, y: data.labels });
    expect(dataset.x.dims).toEqual([4, 4]);
    const ft = await createFineTuneSession({ backbone, head: buildHead({ inputDim: 4, classes: 2 }), freeze: { unfreezeTop: 0 }, optimizer: { optimizer: sgd(), lr: 0.1 }, loss: { kind: 'cross-entropy' }, sample: data });
    expect(ft.selection.trainable).toEqual(['head.fc0.weight', 'head.fc0.bias']);
    await ft.session.release();
  });

  it('fails at compile time naming the op and the node when fine-tuning through it', async () => {
    const backbone = loadBackbone(atanBackbone());
    const err = await createFineTuneSession({ backbone, head: buildHead({ inputDim: 4, classes: 2 }), optimizer: { optimizer: sgd(), lr: 0.1 }, loss: { kind: 'cross-entropy' }, sample: data }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedGradientError);
    expect((err as UnsupportedGradientError).opType).toBe('Atan');
    expect((err as UnsupportedGradientError).nodeName).toBe('squash');
    expect((err as Error).message).toMatch(/no gradient rule for op Atan \(node 'squash'\)/);
  });
});

describe('a head with another loss', () => {
  it('trains an MSE regression head on cached PaddleOCR features (any engine loss works on features)', async () => {
    const backbone = loadBackbone(ocrModels.classifier);
    const { x, labels } = stripes(12, 1);
    // target: a real number per image (2.5 for vertical stripes, -1 for horizontal)
    const y: TensorValue = { dataType: DataType.FLOAT, dims: [12, 1], data: Float32Array.from(labels.data as BigInt64Array, (c) => (c ? 2.5 : -1)) };
    const { dataset } = await extractFeatures(backbone, { x, y });
    expect(dataset.x.dims).toEqual([12, 200]);
    const head = buildHead({ inputDim: 200, classes: 1, seed: 4 });
    const session = await TrainSession.create({ model: head, loss: { kind: 'mse' }, optimizer: { optimizer: adam(), lr: 1e-2 }, sample: { features: dataset.x, labels: y } });
    const batch = { features: dataset.x, labels: y };
    const first = (await session.step(batch)).loss;
    let last = first;
    for (let i = 0; i < 150; i++) last = (await session.step(batch)).loss;
    expect(last).toBeLessThan(first * 0.05);
    const pred = (await session.predict({ features: dataset.x })).data as Float32Array;
    const target = y.data as Float32Array;
    const high = Array.from(pred).filter((_, k) => target[k]! > 0);
    const low = Array.from(pred).filter((_, k) => target[k]! < 0);
    expect(Math.min(...high)).toBeGreaterThan(Math.max(...low));
    await session.release();
  });
});
