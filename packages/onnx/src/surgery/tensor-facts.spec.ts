import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ocrModels } from '@anneal/testing';
import { decodeModel } from '../codec.js';
import { GraphBuilder } from '../graph-builder.js';
import { tensors } from '../tensor.js';
import { DataType } from '../types.js';
import { broadcastDims, inferTensorFacts } from './tensor-facts.js';

describe('inferTensorFacts', () => {
  it('follows shape arithmetic (Shape -> Slice -> Concat -> Reshape) in the real classifier', () => {
    const facts = inferTensorFacts(decodeModel(readFileSync(ocrModels.classifier)).graph);
    expect(facts.get('p2o.helper.concat.0')?.values).toEqual(['p2o.DynamicDimension.0', 200]);
    expect(facts.get('reshape2_0.tmp_0')).toMatchObject({ elemType: DataType.FLOAT, dims: ['p2o.DynamicDimension.0', 200] });
    expect(facts.get('softmax_0.tmp_0')?.dims).toEqual(['p2o.DynamicDimension.3', 2]); // declared output wins
  });

  it('infers conv/pool/flatten/gemm dims and types on a small graph', () => {
    const b = new GraphBuilder({ opset: 17 });
    b.input('x', DataType.FLOAT, ['N', 3, 8, 8]);
    const c = b.op('Conv', ['x', b.initializer(tensors.float('w', [4, 3, 3, 3], new Float32Array(108)))], { pads: [1, 1, 1, 1], strides: [2, 2] });
    const p = b.op('MaxPool', [c], { kernel_shape: [2, 2], strides: [2, 2] });
    const f = b.op('Flatten', [p]);
    const g = b.op('Gemm', [f, b.initializer(tensors.float('g', [5, 16], new Float32Array(80)))], { transB: 1 });
    const s = b.op('Shape', [g]);
    const facts = inferTensorFacts(b.graph);
    expect(facts.get(c)?.dims).toEqual(['N', 4, 4, 4]);
    expect(facts.get(p)?.dims).toEqual(['N', 4, 2, 2]);
    expect(facts.get(f)?.dims).toEqual(['?', 16]);
    expect(facts.get(g)?.dims).toEqual(['?', 5]);
    expect(facts.get(s)).toMatchObject({ elemType: DataType.INT64, dims: [2], values: ['?', 5] });
  });

  it('broadcasts shapes numpy-style', () => {
    expect(broadcastDims([[2, 1, 4], [3, 1]])).toEqual([2, 3, 4]);
    expect(broadcastDims([['N', 1], [1, 5]])).toEqual(['N', 5]);
    expect(broadcastDims([[2], undefined])).toBeUndefined();
  });
});
