import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { attr, AttributeType, DataType, decodeModel, encodeModel, emptyGraph, GraphBuilder, readAttribute, tensors } from './index.js';

describe('GraphBuilder', () => {
  it('writes attributes of every kind and reads them back after a protobuf round trip', () => {
    const b = new GraphBuilder({ opset: 17 });
    const sub = emptyGraph('body');
    const t = tensors.float('t', [2], [1.5, -2]);
    b.node('Custom', [], {
      f: attr.float(1),
      i: 3,
      s: 'text',
      t,
      g: sub,
      floats: [0.5, 1.25],
      ints: [1, -2, 3],
      strings: ['a', 'bc'],
      tensors: attr.tensors([t, tensors.int64('u', [1], [7])]),
      graphs: attr.graphs([sub, emptyGraph('other')]),
      sparse: attr.sparseTensor({ values: t, indices: tensors.int64('idx', [2], [0, 3]), dims: [4] }),
      sparses: attr.sparseTensors([{ values: t, indices: tensors.int64('idx', [2], [1, 2]), dims: [4] }]),
      type: attr.typeProto({ tensorType: { elemType: DataType.FLOAT, shape: { dim: [{ dimValue: 2 }] } } }),
      types: attr.typeProtos([{ tensorType: { elemType: DataType.INT64 } }]),
    }, { domain: 'example.custom' });
    b.valueInfo('hidden', DataType.FLOAT, ['N', 4]);
    const m = decodeModel(encodeModel(b.build([{ domain: 'example.custom', version: 1 }])));
    const a = Object.fromEntries(m.graph.node[0]!.attribute.map((x) => [x.name, x]));
    expect(m.graph.node[0]!.domain).toBe('example.custom');
    expect(m.opsetImport).toEqual([{ domain: '', version: 17 }, { domain: 'example.custom', version: 1 }]);
    expect(readAttribute(a.f)).toBe(1);
    expect(a.f!.type).toBe(AttributeType.FLOAT);
    expect(readAttribute(a.i)).toBe(3);
    expect(readAttribute(a.s)).toBe('text');
    expect(a.t!.t!.dims).toEqual([2]);
    expect(a.g!.g!.name).toBe('body');
    expect(readAttribute(a.floats)).toEqual([0.5, 1.25]);
    expect(readAttribute(a.ints)).toEqual([1, -2, 3]);
    expect(readAttribute(a.strings)).toEqual(['a', 'bc']);
    expect(a.tensors!.tensors.map((x) => x.name)).toEqual(['t', 'u']);
    expect(a.graphs!.graphs.map((x) => x.name)).toEqual(['body', 'other']);
    expect(a.sparse!.type).toBe(AttributeType.SPARSE_TENSOR);
    expect(a.sparse!.sparseTensor!.dims).toEqual([4]);
    expect(a.sparses!.sparseTensors).toHaveLength(1);
    expect(a.type!.tp!.tensorType!.shape!.dim[0]!.dimValue).toBe(2);
    expect(a.types!.typeProtos[0]!.tensorType!.elemType).toBe(DataType.INT64);
    expect(m.graph.valueInfo[0]!.name).toBe('hidden');
  });

  it('generates unique names and caches constants', async () => {
    const b = new GraphBuilder({ opset: 17 });
    b.input('x', DataType.FLOAT, ['N']);
    const y1 = b.op('Add', ['x', b.scalar(2)]);
    const y2 = b.op('Add', [y1, b.scalar(2)]);
    expect(y1).not.toBe(y2);
    expect(b.graph.initializer).toHaveLength(1);
    expect(b.uniqueName('x')).not.toBe('x');
    b.output(y2, DataType.FLOAT, ['N']);
    const s = await ort.InferenceSession.create(encodeModel(b.build()));
    const out = await s.run({ x: new ort.Tensor('float32', Float32Array.of(1, 2), [2]) });
    expect(Array.from(out[y2]!.data as Float32Array)).toEqual([5, 6]);
  });
});
