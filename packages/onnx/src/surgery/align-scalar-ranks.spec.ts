import { describe, expect, it } from 'vitest';
import { cloneModel } from '../clone-model.js';
import { GraphBuilder } from '../graph-builder.js';
import { DataType } from '../types.js';
import { tensors } from '../tensor.js';
import { alignScalarRanks } from './align-scalar-ranks.js';
import { inferTensorFacts } from './tensor-facts.js';
import { maxAbsDiff, runModel } from './test-harness.js';

/** x [2, 3, 1, 1] against a 0-d input, a [1] constant, a 0-d constant in Where, and an unknown-rank input. */
function scalarsModel() {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, [2, 3, 1, 1]);
  b.input('lr', DataType.FLOAT, []);
  b.input('free', DataType.FLOAT); // no shape declared: its rank is unknown
  const scaled = b.op('Mul', ['x', 'lr']);
  const shifted = b.op('Sub', [b.initializer(tensors.float('one', [1], [1])), scaled]);
  const clipped = b.op('Where', [b.op('Less', [shifted, b.scalar(0.5)]), b.scalar(0), shifted]);
  const again = b.op('Mul', [clipped, 'lr']); // the same scalar at the same rank: one Reshape serves both
  b.output(b.op('Add', [again, 'free'], {}, { output: 'y' }), DataType.FLOAT);
  return b.build();
}

describe('alignScalarRanks', () => {
  it('reshapes one-element operands to the rank of their node, leaves the rest, and keeps every value', async () => {
    const model = scalarsModel();
    const aligned = cloneModel(model);
    const result = alignScalarRanks(aligned.graph);
    // lr (twice, one Reshape), one, 0.5 and 0: four tensors, five operands; 'free' has no known rank
    expect(result).toEqual({ aligned: 5, reshapes: 4 });
    const facts = inferTensorFacts(aligned.graph);
    for (const node of aligned.graph.node) {
      if (node.opType === 'Reshape' || node.opType === 'Add') continue;
      for (const input of node.input) expect(facts.get(input)?.dims?.length, `${node.opType} input ${input}`).toBe(4);
    }
    const add = aligned.graph.node.find((n) => n.opType === 'Add')!;
    expect(add.input[1]).toBe('free');
    // every Reshape comes before the node that reads it (ORT and the ONNX checker need that order)
    const position = new Map(aligned.graph.node.flatMap((n, i) => n.output.map((o) => [o, i] as const)));
    aligned.graph.node.forEach((n, i) => n.input.forEach((input) => expect(position.get(input) ?? -1).toBeLessThan(i)));

    const feeds = {
      x: { data: Float32Array.of(0.1, -0.7, 1.3, 2.5, -3, 0.45), dims: [2, 3, 1, 1] },
      lr: { data: Float32Array.of(0.8), dims: [] },
      free: { data: Float32Array.of(10, 20, 30), dims: [3, 1, 1] },
    };
    const [before, after] = [await runModel(model, feeds), await runModel(aligned, feeds)];
    expect(after.y!.dims).toEqual([2, 3, 1, 1]);
    expect(maxAbsDiff(after.y!.data, before.y!.data)).toBe(0);
  });

  it('leaves graphs without lower-rank scalars unchanged', () => {
    const b = new GraphBuilder({ opset: 17 });
    b.input('x', DataType.FLOAT, [4, 5]);
    b.output(b.op('Mul', ['x', b.op('Relu', ['x'])]), DataType.FLOAT, [4, 5]);
    const model = b.build();
    const nodes = model.graph.node.length;
    expect(alignScalarRanks(model.graph)).toEqual({ aligned: 0, reshapes: 0 });
    expect(model.graph.node.length).toBe(nodes);
  });
});
