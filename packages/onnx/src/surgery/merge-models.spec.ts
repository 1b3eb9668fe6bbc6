import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ocrModels, randn } from '@anneal/testing';
import { decodeModel } from '../codec.js';
import { OpsetMismatchError, UnknownTensorError } from '../errors.js';
import { GraphBuilder } from '../graph-builder.js';
import { tensors } from '../tensor.js';
import { DataType } from '../types.js';
import { cutModel } from './cut-model.js';
import { mergeModels } from './merge-models.js';
import { maxAbsDiff, runModel } from './test-harness.js';
import { upgradeOpset } from './upgrade-opset.js';

/** A linear head y = x W + b with W [200, 3], written with deliberately colliding names. */
function linearHead(w: Float32Array, bias: Float32Array, opset = 9) {
  const b = new GraphBuilder({ opset, name: 'head' });
  b.input('features', DataType.FLOAT, ['N', 200]);
  const wName = b.initializer(tensors.float('fc_0.w_0', [200, 3], w)); // same name as the backbone's own classifier weight
  const bName = b.initializer(tensors.float('fc_0.b_0', [3], bias));
  const mm = b.op('MatMul', ['features', wName], {}, { output: 'p2o.MatMul.1' }); // collides with a backbone tensor
  b.output(b.op('Add', [mm, bName], {}, { output: 'logits' }), DataType.FLOAT, ['N', 3]);
  return b.build();
}

describe('mergeModels', () => {
  const classifier = () => decodeModel(readFileSync(ocrModels.classifier), 'cls');
  const w = randn(600, 11, 0.1);
  const bias = Float32Array.from([0.1, -0.2, 0.3]);
  const input = { x: { data: randn(2 * 3 * 48 * 192, 5), dims: [2, 3, 48, 192] } };

  it('splices a GraphBuilder head onto the cut classifier; ORT output equals the head computed in JS', async () => {
    const backbone = cutModel(classifier(), 'reshape2_0.tmp_0');
    const merged = mergeModels(backbone, linearHead(w, bias), { connect: { features: 'reshape2_0.tmp_0' } });
    expect(merged.graph.output.map((o) => o.name)).toEqual(['logits']);
    expect(merged.graph.input.map((i) => i.name)).toEqual(['x']);
    // the cut backbone no longer holds fc_0.* or p2o.MatMul.1, so nothing needed renaming
    expect(merged.graph.initializer.map((t) => t.name)).toEqual(['fc_0.w_0', 'fc_0.b_0']);
    const features = (await runModel(backbone, input))['reshape2_0.tmp_0']!;
    const logits = (await runModel(merged, input))['logits']!;
    expect(logits.dims).toEqual([2, 3]);
    const expected = new Float32Array(6);
    for (let n = 0; n < 2; n++) {
      for (let j = 0; j < 3; j++) {
        let s = bias[j]!;
        for (let k = 0; k < 200; k++) s += features.data[n * 200 + k]! * w[k * 3 + j]!;
        expected[n * 3 + j] = s;
      }
    }
    expect(maxAbsDiff(logits.data, expected)).toBeLessThan(1e-4);
  });

  it('onto the full model: renames colliding head names and drops backbone nodes the head does not need', async () => {
    const merged = mergeModels(classifier(), linearHead(w, bias), { connect: { features: 'reshape2_0.tmp_0' } });
    expect(merged.graph.node.some((n) => n.opType === 'Softmax')).toBe(false);
    expect(merged.graph.initializer.map((t) => t.name)).toEqual(['head/fc_0.w_0', 'head/fc_0.b_0']);
    expect(merged.graph.node.find((n) => n.opType === 'MatMul')!.output).toEqual(['head/p2o.MatMul.1']);
    const viaCut = mergeModels(cutModel(classifier(), 'reshape2_0.tmp_0'), linearHead(w, bias), { connect: { features: 'reshape2_0.tmp_0' } });
    const [a, b] = [await runModel(merged, input), await runModel(viaCut, input)];
    expect(maxAbsDiff(a['logits']!.data, b['logits']!.data)).toBe(0);
    const both = mergeModels(classifier(), linearHead(w, bias), { connect: { features: 'reshape2_0.tmp_0' }, keepBackboneOutputs: true, prefix: 'new_' });
    expect(both.graph.output.map((o) => o.name)).toEqual(['logits', 'softmax_0.tmp_0']);
    expect(both.graph.initializer.map((t) => t.name)).toEqual(['new_fc_0.w_0', 'new_fc_0.b_0']);
    expect(Object.keys(await runModel(both, input)).sort()).toEqual(['logits', 'softmax_0.tmp_0']);
  });

  it('refuses different default opsets and unknown names, with typed errors', () => {
    const backbone = cutModel(classifier(), 'reshape2_0.tmp_0');
    expect(() => mergeModels(backbone, linearHead(w, bias, 17), { connect: { features: 'reshape2_0.tmp_0' } })).toThrow(OpsetMismatchError);
    expect(() => mergeModels(backbone, linearHead(w, bias, 17), { connect: { features: 'reshape2_0.tmp_0' } })).toThrow(/upgradeOpset\(model, 17\)/);
    const upgraded = upgradeOpset(backbone, 17);
    expect(mergeModels(upgraded, linearHead(w, bias, 17), { connect: { features: 'reshape2_0.tmp_0' } }).opsetImport.map((o) => Number(o.version))).toEqual([17]);
    expect(() => mergeModels(backbone, linearHead(w, bias), { connect: { feature: 'reshape2_0.tmp_0' } })).toThrow(UnknownTensorError);
    expect(() => mergeModels(backbone, linearHead(w, bias), { connect: { features: 'reshape2_0' } })).toThrow(/Closest names: reshape2_0.tmp_0/);
  });
});
