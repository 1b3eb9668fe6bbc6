import { describe, expect, it } from 'vitest';
import { cloneModel } from './clone-model.js';
import { DataType } from './types.js';
import { GraphBuilder } from './graph-builder.js';
import { tensors } from './tensor.js';

describe('cloneModel', () => {
  it('copies the graph and tensor headers but shares initializer payloads', () => {
    const b = new GraphBuilder({ opset: 17 });
    b.input('x', DataType.FLOAT, ['N', 2]);
    const w = b.initializer(tensors.float('w', [2, 2], [1, 2, 3, 4]));
    b.op('MatMul', ['x', w], {}, { output: 'y' });
    b.output('y', DataType.FLOAT);
    const model = b.build();
    const copy = cloneModel(model);
    copy.graph.node.push({ ...copy.graph.node[0]!, name: 'extra' });
    copy.graph.initializer[0]!.name = 'renamed';
    copy.graph.initializer[0]!.dims.push(1);
    expect(model.graph.node).toHaveLength(1);
    expect(model.graph.initializer[0]!.name).toBe('w');
    expect(model.graph.initializer[0]!.dims).toEqual([2, 2]);
    expect(copy.graph.initializer[0]!.rawData).toBe(model.graph.initializer[0]!.rawData);
    expect(copy).not.toBe(model);
    expect(copy.graph.input).not.toBe(model.graph.input);
  });
});
