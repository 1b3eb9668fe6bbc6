import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ocrModels, randn } from '@anneal/testing';
import { decodeModel } from '../codec.js';
import { UnknownTensorError } from '../errors.js';
import { GraphBuilder } from '../graph-builder.js';
import { tensors } from '../tensor.js';
import { DataType } from '../types.js';
import { cutModel } from './cut-model.js';
import { runModel } from './test-harness.js';

describe('cutModel', () => {
  it('cuts the real classifier at its 200-d feature and ONNX Runtime returns [N, 200]', async () => {
    const model = decodeModel(readFileSync(ocrModels.classifier), 'cls');
    const cut = cutModel(model, 'reshape2_0.tmp_0');
    expect(cut.graph.output.map((o) => o.name)).toEqual(['reshape2_0.tmp_0']);
    const ops = cut.graph.node.map((n) => n.opType);
    expect(ops).not.toContain('MatMul');
    expect(ops).not.toContain('Softmax');
    expect(cut.graph.node.some((n) => n.output.includes('fc_0.w_0'))).toBe(false);
    const out = await runModel(cut, { x: { data: randn(3 * 3 * 48 * 192, 3), dims: [3, 3, 48, 192] } });
    expect(out['reshape2_0.tmp_0']!.dims).toEqual([3, 200]);
    expect(model.graph.output[0]!.name).toBe('softmax_0.tmp_0'); // input untouched
  });

  it('drops initializers and inputs the cut does not need', () => {
    const b = new GraphBuilder({ opset: 17 });
    b.input('x', DataType.FLOAT, ['N', 2]);
    b.input('unused', DataType.FLOAT, [1]);
    const w = b.initializer(tensors.float('w', [2, 2], [1, 0, 0, 1]));
    const w2 = b.initializer(tensors.float('w2', [2, 2], [1, 0, 0, 1]));
    const h = b.op('MatMul', ['x', w], {}, { output: 'h' });
    const y = b.op('MatMul', [h, w2]);
    b.output(b.op('Add', [y, 'unused']));
    const cut = cutModel(b.build(), 'h');
    expect(cut.graph.initializer.map((t) => t.name)).toEqual(['w']);
    expect(cut.graph.input.map((i) => i.name)).toEqual(['x']);
    expect(cut.graph.output[0]!.type?.tensorType?.elemType).toBe(DataType.FLOAT);
  });

  it('names close candidates when the tensor does not exist', () => {
    const model = decodeModel(readFileSync(ocrModels.classifier), 'cls');
    try {
      cutModel(model, 'reshape2_0.tmp');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UnknownTensorError);
      const err = e as UnknownTensorError;
      expect(err.candidates).toContain('reshape2_0.tmp_0');
      expect(err.message).toMatch(/reshape2_0\.tmp.*Closest names: .*reshape2_0\.tmp_0/);
    }
  });

  it('names the op that hides a tensor type, and what to do, when a cut tensor has no known type', () => {
    const b = new GraphBuilder({ opset: 17 });
    b.input('x', DataType.FLOAT, ['N', 4, 3, 3]);
    const pooled = b.op('GlobalAveragePool', ['x']);
    const flat = b.op('Einsum', [pooled], { equation: 'ncij->nc' }, { output: 'flat', name: 'squeeze_einsum' }); // not modelled statically
    b.op('Relu', [flat], {}, { output: 'feat' });
    b.output('feat');
    const model = b.build();
    model.graph.output = [];
    expect(() => cutModel(model, 'feat')).toThrow(/tensor 'feat' is not declared in the model and could not be inferred, because the element type of the output of Einsum node 'squeeze_einsum' is not inferred.*cut at a tensor before that op, or in code pass options\.outputTypes\['feat'\]/);
    expect(cutModel(model, 'feat', { outputTypes: { feat: { elemType: DataType.FLOAT } } }).graph.output[0]!.name).toBe('feat');
  });
});
