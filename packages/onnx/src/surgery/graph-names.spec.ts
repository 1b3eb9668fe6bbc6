import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph-builder.js';
import { DataType } from '../types.js';
import { graphNames, NameAllocator, nearestNames, nodeLabel } from './graph-names.js';

describe('graph names', () => {
  it('collects names, hands out fresh ones and ranks near misses', () => {
    const b = new GraphBuilder({ opset: 17 });
    b.input('x', DataType.FLOAT, [1]);
    b.output(b.op('Relu', ['x'], {}, { output: 'y', name: 'act' }));
    const names = graphNames(b.graph);
    expect([...names].sort()).toEqual(['act', 'x', 'y']);
    const alloc = new NameAllocator(names);
    expect(alloc.fresh('y')).toBe('y_1');
    expect(alloc.fresh('z')).toBe('z');
    expect(nearestNames('reshape2_0.tmp', ['conv.w', 'reshape2_0.tmp_0', 'reshape1.out'], 2)).toEqual(['reshape2_0.tmp_0', 'reshape1.out']);
    expect(nodeLabel({ opType: 'Constant', input: [], output: ['c'], attribute: [], metadataProps: [] })).toBe('Constant -> c');
  });
});
