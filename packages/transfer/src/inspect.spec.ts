import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataType, GraphBuilder, saveModel, tensors, type ModelProto, type TensorValue } from '@anneal/onnx';
import { compileTrainStep, defaultGradientRegistry, listParameters, softmaxCrossEntropy, UnsupportedGradientError } from '@anneal/autograd';
import { prepareModel } from '@anneal/engine';
import { ortExecutor } from '@anneal/runtime';
import { ocrModels, randn } from '@anneal/testing';
import { ShapeMismatchError } from './errors.js';
import { formatModelReport, inspectModel } from './inspect.js';

const here = dirname(fileURLToPath(import.meta.url));
const cnnEval = join(here, '..', '..', 'autograd', 'fixtures', 'torch', 'cnn-eval');
const executor = ortExecutor({ device: 'cpu' });
const dir = mkdtempSync(join(tmpdir(), 'anneal-inspect-'));

function save(name: string, model: ModelProto): string {
  const path = join(dir, `${name}.onnx`);
  saveModel(path, model);
  return path;
}

/**
 * x [N,1,4,4] -> Conv(conv.weight) -> GlobalAveragePool -> Flatten -> MatMul(fc.weight) -> logits [N,3],
 * with one Atan (no gradient rule) either right after the Conv (between a parameter and the output)
 * or on the input (upstream of every parameter).
 */
function atanModel(where: 'after-conv' | 'on-input'): ModelProto {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, ['N', 1, 4, 4]);
  b.initializer(tensors.float('conv.weight', [2, 1, 3, 3], randn(18, 1, 0.5)));
  b.initializer(tensors.float('fc.weight', [2, 3], randn(6, 2, 0.5)));
  const x = where === 'on-input' ? b.op('Atan', ['x'], {}, { name: 'atan_on_input' }) : 'x';
  let h = b.op('Conv', [x, 'conv.weight'], { pads: [1, 1, 1, 1] }, { name: 'conv' });
  if (where === 'after-conv') h = b.op('Atan', [h], {}, { name: 'atan_after_conv' });
  const features = b.op('Flatten', [b.op('GlobalAveragePool', [h])], { axis: 1 }, { output: 'features' });
  b.op('MatMul', [features, 'fc.weight'], {}, { output: 'logits' });
  b.output('logits', DataType.FLOAT, ['N', 3]);
  return b.build();
}

/** Compiles a train step with every parameter trainable, as fine-tuning the whole model would. */
function compileAll(model: ModelProto) {
  const x: TensorValue = { dataType: DataType.FLOAT, dims: [2, 1, 4, 4], data: randn(32, 3) };
  const labels: TensorValue = { dataType: DataType.INT64, dims: [2], data: BigInt64Array.of(0n, 2n) };
  return compileTrainStep({
    model,
    executor,
    sample: { x, labels },
    registry: defaultGradientRegistry(),
    trainable: listParameters(model),
    loss: (b, logits, l) => softmaxCrossEntropy(b, { logits, labels: l }),
  });
}

describe('inspectModel on the PaddleOCR classifier', () => {
  it('reports the opset upgrade, promoted weights, ops with gradient coverage, parameters and the 200-d feature', async () => {
    const r = await inspectModel(ocrModels.classifier, { probeInput: [1, 3, 48, 192] });
    const prepared = prepareModel(ocrModels.classifier).model;
    expect(r.file).toBe(ocrModels.classifier);
    expect(r.bytes).toBe(readFileSync(ocrModels.classifier).length);
    expect(r.opsets).toEqual([{ domain: 'ai.onnx', version: 9 }]);
    expect(r.prepared.opset).toBe(17);
    expect(r.prepared.promotedConstants).toBeGreaterThan(50);
    expect(r.nodes).toBe(prepared.graph.node.length);
    expect(r.ops.reduce((s, o) => s + o.count, 0)).toBe(r.nodes);
    expect(r.ops.map((o) => o.count)).toEqual([...r.ops.map((o) => o.count)].sort((a, b) => b - a));
    // MobileNetV3's hard-swish is exported as HardSigmoid followed by Mul; no HardSwish op
    expect(r.ops.find((o) => o.op === 'HardSigmoid')).toEqual({ op: 'HardSigmoid', domain: 'ai.onnx', count: 9, gradient: true });
    expect(r.ops.find((o) => o.op === 'HardSwish')).toBeUndefined();
    expect(r.ops.find((o) => o.op === 'Conv')).toMatchObject({ count: 53, gradient: true });
    expect(r.ops.find((o) => o.op === 'Shape')).toMatchObject({ gradient: false });
    expect(r.inputs).toEqual([{ name: 'x', elemType: 'FLOAT', dims: ['p2o.DynamicDimension.0', 3, 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2'] }]);
    expect(r.outputs).toHaveLength(1);
    expect(r.parameters.tensors).toBe(listParameters(prepared).length);
    expect(r.parameters.bytes).toBe(4 * r.parameters.elements);
    expect(r.parameters.largest[0]!.dims.reduce((a, b) => a * b, 1)).toBe(10_000);
    expect(r.batchNorms).toBe(35);
    expect(r.candidates[0]).toMatchObject({ name: 'reshape2_0.tmp_0', producer: 'Reshape' });
    expect(r.candidates[0]!.dims).toHaveLength(2);
    expect(r.candidates[0]!.dims![1]).toBe(200);
    expect(r.candidates.length).toBeLessThanOrEqual(10);
    // Shape has no rule, but only feeds integer shape arithmetic: nothing blocks fine-tuning
    expect(r.unsupported).toEqual([]);

    const text = formatModelReport(r);
    expect(text).toContain('opset 9 -> 17');
    expect(text).toMatch(/HardSigmoid\s+9\s+✓/);
    expect(text).toMatch(/1\s+reshape2_0\.tmp_0\s+Reshape\s+\[p2o\.DynamicDimension\.0, 200\]/);
    expect(text).toContain('all parameters can train');
  });

  it('rejects a probe shape that does not fit the declared input, naming the input and the file', async () => {
    await expect(inspectModel(ocrModels.classifier, { probeInput: [1, 3, 48] })).rejects.toThrow(ShapeMismatchError);
    await expect(inspectModel(ocrModels.classifier, { probeInput: [1, 4, 48, 192] })).rejects.toThrow(
      `input 'x' of ${ocrModels.classifier}: expected dims [p2o.DynamicDimension.0, 3, p2o.DynamicDimension.1, p2o.DynamicDimension.2] but got [1, 4, 48, 192]`,
    );
  });
});

describe('inspectModel on all three PaddleOCR models', () => {
  for (const kind of ['classifier', 'recognizer', 'detector'] as const) {
    it(`${kind}: every op on a trainable path has a gradient rule`, async () => {
      const r = await inspectModel(ocrModels[kind]);
      console.log(`${kind} (opset ${r.opsets[0]!.version} -> ${r.prepared.opset}): ${r.ops.map((o) => `${o.op} ×${o.count} ${o.gradient ? '✓' : '✗'}`).join(', ')}`);
      expect(r.parameters.tensors).toBe(listParameters(prepareModel(ocrModels[kind]).model).length);
      expect(r.ops.filter((o) => !o.gradient).map((o) => o.op).sort()).toEqual(kind === 'detector' ? ['Constant'] : ['Constant', 'Shape']);
      expect(r.unsupported).toEqual([]);
    });
  }

  it('recognizer: the probe run sizes the sequence axis the static pass cannot (48x320 -> 40 time steps)', async () => {
    const before = await inspectModel(ocrModels.recognizer, { limit: 3 });
    expect(before.candidates[0]!.dims).toEqual(['p2o.DynamicDimension.0', '?', 120]);
    const r = await inspectModel(ocrModels.recognizer, { probeInput: [1, 3, 48, 320], limit: 3, executor });
    expect(r.candidates.map((c) => c.name)).toEqual(before.candidates.map((c) => c.name));
    expect(r.candidates[0]).toMatchObject({ name: 'transpose_51.tmp_0', dims: [1, 40, 120] });
  });
});

describe('inspectModel: ops without a gradient rule', () => {
  it('lists Atan between the Conv weight and the output, as compileTrainStep would refuse it', async () => {
    expect(defaultGradientRegistry().ops()).not.toContain('Atan');
    const model = atanModel('after-conv');
    const r = await inspectModel(save('atan-after-conv', model));
    expect(r.unsupported).toEqual([{ op: 'Atan', count: 1, nodes: ['atan_after_conv'], parametersAbove: 1, featureCut: 'features' }]);
    expect(formatModelReport(r)).toMatch(/Atan\s+1\s+✗ blocks fine-tuning/);
    expect(formatModelReport(r)).toContain("freeze the 1 parameter tensors above these nodes, or extract features at 'features'");
    await expect(compileAll(model)).rejects.toThrow(UnsupportedGradientError);
    await expect(compileAll(model)).rejects.toThrow("op Atan (node 'atan_after_conv')");
  });

  it('does not list Atan applied to the input, upstream of every parameter (and compileTrainStep accepts it)', async () => {
    const model = atanModel('on-input');
    const r = await inspectModel(save('atan-on-input', model));
    expect(r.ops.find((o) => o.op === 'Atan')).toMatchObject({ count: 1, gradient: false });
    expect(r.unsupported).toEqual([]);
    expect(formatModelReport(r)).toMatch(/Atan\s+1\s+✗ \(not on a trainable path\)/);
    await expect(compileAll(model)).resolves.toMatchObject({ params: ['conv.weight', 'fc.weight'] });
  });

  it('probes by itself when every input dim is static: a feature behind an op static inference does not know', async () => {
    const b = new GraphBuilder({ opset: 17 });
    b.input('x', DataType.FLOAT, [2, 5]);
    b.initializer(tensors.float('fc.weight', [5, 3], randn(15, 4)));
    const f = b.op('Einsum', ['x'], { equation: 'ni->ni' }, { output: 'features' });
    b.op('MatMul', [f, 'fc.weight'], {}, { output: 'logits' });
    b.output('logits', DataType.FLOAT, [2, 3]);
    const r = await inspectModel(save('einsum', b.build()), { executor });
    expect(r.candidates).toEqual([{ name: 'features', producer: 'Einsum', dims: [2, 5], distanceToOutput: 1, reasons: ['classifier-input'] }]);
    expect(r.unsupported).toEqual([]);
  });
});

describe('inspectModel on the PyTorch cnn-eval fixture', () => {
  it('counts exactly the parameters PyTorch has gradients for', async () => {
    const r = await inspectModel(join(cnnEval, 'model.onnx'));
    const ref = JSON.parse(readFileSync(join(cnnEval, 'ref.json'), 'utf8')) as { gradients: Record<string, { shape: number[] }> };
    const shapes = Object.values(ref.gradients).map((g) => g.shape);
    expect(r.parameters.tensors).toBe(listParameters(prepareModel(join(cnnEval, 'model.onnx')).model).length);
    expect(r.parameters.tensors).toBe(shapes.length);
    expect(r.parameters.elements).toBe(shapes.reduce((s, d) => s + d.reduce((a, b) => a * b, 1), 0));
    expect(r.parameters.largest[0]).toEqual({ name: 'conv2.weight', dims: [8, 4, 3, 3] });
    expect(r.prepared).toEqual({ opset: 17, promotedConstants: 0 });
    expect(r.batchNorms).toBe(1);
    expect(r.ops.find((o) => o.op === 'HardSwish')).toMatchObject({ gradient: true });
    expect(r.unsupported).toEqual([]);
  });
});
