// Freezing by depth on the PyTorch-exported backbones: blocks follow torch's module names, and a
// fine-tuning step through the mobilenet's top blocks (SE, HardSwish, grouped conv) trains exactly them.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy } from '@anneal/data';
import { encodeModel, tensorToValue } from '@anneal/onnx';
import { createSession, fromOrtTensorAsync } from '@anneal/runtime';
import { sgd } from '@anneal/optim';
import { attachHead } from './attach.js';
import { loadBackbone } from './backbone.js';
import { createFineTuneSession } from './fine-tune.js';
import { selectTrainable } from './freeze.js';
import { buildHead } from './head.js';
import { inspectModel } from './inspect.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'torch');
const ref = (name: string) => JSON.parse(readFileSync(join(root, name, 'ref.json'), 'utf8')) as { blocks: string[]; feature: string; featureDim: number };

describe.each(['resnet-mini', 'mobilenetv3-mini'])('blocks of %s', (name) => {
  it('are torch\'s top-level modules, input side first, without the cut-off classifier', () => {
    const backbone = loadBackbone(join(root, name, 'model.onnx'));
    const model = attachHead(backbone, buildHead({ inputDim: backbone.featureDim!, classes: 3 }));
    const { blocks, head } = selectTrainable(model);
    expect(head).toEqual(['head.fc0.weight', 'head.fc0.bias']);
    const kept = ref(name).blocks.filter((b) => model.graph.initializer.some((t) => t.name?.startsWith(`${b}.`)));
    expect(blocks.map((b) => b.name)).toEqual(kept);
    expect(kept.length).toBe(ref(name).blocks.length - 1); // the exported final classifier layer is cut away
  });
});

describe('anneal inspect lists the blocks', () => {
  it('of the whole exported ResNet, as torch names its modules', async () => {
    const report = await inspectModel(join(root, 'resnet-mini', 'model.onnx'));
    expect(report.blocks.map((b) => b.name)).toEqual(ref('resnet-mini').blocks);
    expect(report.blocks.reduce((s, b) => s + b.elements, 0)).toBe(44370);
  });
});

describe('fine-tuning the top two blocks of the PyTorch MobileNetV3', () => {
  it('changes exactly the head and those blocks, one SGD step lowers the loss, and the export runs the same in ORT node and web', async () => {
    const x = readNpy(join(root, 'mobilenetv3-mini', 'x.npy'));
    const labels = readNpy(join(root, 'mobilenetv3-mini', 'y.npy'));
    const backbone = loadBackbone(join(root, 'mobilenetv3-mini', 'model.onnx'));
    const head = buildHead({ inputDim: backbone.featureDim!, classes: 10, seed: 2 });
    const ft = await createFineTuneSession({ backbone, head, freeze: { unfreezeTop: 2 }, optimizer: { optimizer: sgd(), lr: 0.05 }, loss: { kind: 'cross-entropy' }, sample: { x, labels } });
    const top = ft.selection.blocks.filter((b) => b.trainable).map((b) => b.name);
    expect(top).toEqual(['features.6', 'classifier.0']);
    const before = Object.fromEntries(ft.model.graph.initializer.map((t) => [t.name!, Array.from(tensorToValue(t).data as Float32Array)]));
    const first = (await ft.session.step({ x, labels })).loss;
    const second = (await ft.session.step({ x, labels })).loss;
    expect(second).toBeLessThan(first);
    const exported = await ft.session.exportInference(ft.model);
    const trained = new Set(ft.selection.trainable);
    for (const t of exported.graph.initializer) {
      const was = before[t.name!];
      if (!was || t.dataType !== 1) continue;
      const now = Array.from(tensorToValue(t).data as Float32Array);
      if (trained.has(t.name!)) expect(now, t.name).not.toEqual(was);
      else expect(now, t.name).toEqual(was);
    }
    // the fine-tuned backbone + head is one model that onnxruntime-node and onnxruntime-web agree on
    const bytes = encodeModel(exported);
    const outputs: Float32Array[] = [];
    for (const device of ['cpu', 'wasm'] as const) {
      const s = await createSession(bytes, { device });
      outputs.push((await fromOrtTensorAsync((await s.run({ x }))[s.outputNames[0]!]!)).data as Float32Array);
      await s.release();
    }
    const scale = Math.max(...outputs[0]!.map(Math.abs));
    outputs[0]!.forEach((v, i) => expect(Math.abs(outputs[1]![i]! - v) / scale).toBeLessThan(1e-4));
    await ft.session.release();
  });
});
