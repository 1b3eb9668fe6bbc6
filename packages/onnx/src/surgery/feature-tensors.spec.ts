import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { ocrModels, randn } from '@anneal/testing';
import { decodeModel, encodeModel } from '../codec.js';
import type { Executor } from '../executor.js';
import { GraphBuilder } from '../graph-builder.js';
import { tensors, type TensorValue } from '../tensor.js';
import { DataType } from '../types.js';
import { listFeatureTensors } from './feature-tensors.js';
import { probeTensorDims } from './probe-tensor-dims.js';

/** An Executor over onnxruntime-node, as @anneal/runtime provides it. */
const ortExecutor: Executor = {
  async run(model, feeds, outputs) {
    const session = await ort.InferenceSession.create(encodeModel(model));
    const inputs = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data as Float32Array, v.dims)]));
    const out = outputs ? await session.run(inputs, [...outputs]) : await session.run(inputs);
    return Object.fromEntries(Object.entries(out).map(([k, t]): [string, TensorValue] => [k, { dataType: DataType.FLOAT, dims: [...t.dims], data: t.data as Float32Array }]));
  },
};

describe('listFeatureTensors', () => {
  it('finds the classifier feature reshape2_0.tmp_0 first, with its static shape', () => {
    const model = decodeModel(readFileSync(ocrModels.classifier), 'cls');
    const found = listFeatureTensors(model);
    expect(found[0]).toMatchObject({ name: 'reshape2_0.tmp_0', producer: 'Reshape', distanceToOutput: 3 });
    expect(found[0]!.reasons).toEqual(expect.arrayContaining(['flattened', 'classifier-input']));
    expect(found[0]!.dims).toEqual(['p2o.DynamicDimension.0', 200]);
    const pooled = found.find((f) => f.name === 'p2o.GlobalAveragePool.19');
    expect(pooled?.dims).toEqual(['p2o.DynamicDimension.0', 200, 1, 1]);
    expect(found.findIndex((f) => f.name === 'p2o.GlobalAveragePool.19')).toBeGreaterThan(0);
  });

  it('uses the probe for dims inference cannot find, and probeTensorDims measures them', async () => {
    const b = new GraphBuilder({ opset: 17 });
    b.input('x', DataType.FLOAT, ['N', 4, 3, 3]);
    const pooled = b.op('GlobalAveragePool', ['x']);
    const flat = b.op('Einsum', [pooled], { equation: 'ncij->nc' }, { output: 'flat' }); // not modelled statically
    const feat = b.op('Relu', [flat], {}, { output: 'feat' });
    b.output(b.op('Gemm', [feat, b.initializer(tensors.float('w', [3, 4], new Float32Array(12)))], { transB: 1 }));
    const model = b.build();
    const dims = await probeTensorDims(model, ['feat'], ortExecutor, { x: { dataType: DataType.FLOAT, dims: [2, 4, 3, 3], data: randn(72, 1) } }, {
      outputTypes: { feat: { elemType: DataType.FLOAT } }, // Einsum's type is not inferred either
    });
    expect(dims.get('feat')).toEqual([2, 4]);
    const withoutProbe = listFeatureTensors(model).find((f) => f.name === 'feat');
    expect(withoutProbe?.dims).toBeUndefined();
    const withProbe = listFeatureTensors(model, { probe: (n) => dims.get(n) });
    expect(withProbe[0]).toMatchObject({ name: 'feat', dims: [2, 4], reasons: ['classifier-input'] });
    expect(withProbe.map((f) => f.name)).toContain(pooled);
  });
});
