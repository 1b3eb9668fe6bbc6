import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { DataType, GraphBuilder, decodeModel, tensors } from '@anneal/onnx';
import { ocrModels } from '@anneal/testing';
import { nodeExecutor } from './test-support.js';
import { probeShapes, withAllNodeOutputs } from './probe-shapes.js';

const executor = nodeExecutor();

describe('probeShapes', () => {
  it('reports every tensor of the real PaddleOCR classifier (opset 9, weights as Constant nodes)', async () => {
    const model = decodeModel(readFileSync(ocrModels.classifier), 'cls.onnx');
    const x = { dataType: DataType.FLOAT, dims: [2, 3, 48, 192], data: new Float32Array(2 * 3 * 48 * 192).fill(0.1) };
    const shapes = await probeShapes(model, { x }, executor);
    expect(shapes.get('x')).toEqual({ dims: [2, 3, 48, 192], dataType: DataType.FLOAT });
    expect(shapes.get('reshape2_0.tmp_0')).toEqual({ dims: [2, 200], dataType: DataType.FLOAT });
    expect(shapes.get('softmax_0.tmp_0')).toEqual({ dims: [2, 2], dataType: DataType.FLOAT }); // already a graph output
    expect(shapes.get('fc_0.w_0')).toEqual({ dims: [200, 2], dataType: DataType.FLOAT }); // a Constant node's output
    const nodeOutputs = new Set(model.graph.node.flatMap((n) => n.output).filter(Boolean));
    for (const name of nodeOutputs) expect(shapes.has(name), name).toBe(true);
    expect(shapes.size).toBe(nodeOutputs.size + 1);
    expect(model.graph.output).toHaveLength(1); // the caller's model is untouched
  });

  it('covers inputs, initializers, int64 intermediates and names that are already outputs', async () => {
    const b = new GraphBuilder({ opset: 17 });
    b.input('x', DataType.FLOAT, ['N', 'C']);
    const w = b.initializer(tensors.float('w', [3, 4], new Float32Array(12)));
    const y = b.op('MatMul', ['x', w], {}, { output: 'y' });
    const shape = b.op('Shape', [y], {}, { output: 'y_shape' });
    b.op('Cast', [shape], { to: DataType.INT32 }, { output: 'y_shape32' });
    b.output('y', DataType.FLOAT);
    b.output('x', DataType.FLOAT); // a graph input that is also a graph output
    const model = b.build();
    expect(withAllNodeOutputs(model).graph.output.map((o) => o.name)).toEqual(['y', 'x', 'y_shape', 'y_shape32']);
    const x = { dataType: DataType.FLOAT, dims: [5, 3], data: new Float32Array(15) };
    const shapes = await probeShapes(model, { x }, executor);
    expect(Object.fromEntries(shapes)).toEqual({
      x: { dims: [5, 3], dataType: DataType.FLOAT },
      w: { dims: [3, 4], dataType: DataType.FLOAT },
      y: { dims: [5, 4], dataType: DataType.FLOAT },
      y_shape: { dims: [2], dataType: DataType.INT64 },
      y_shape32: { dims: [2], dataType: DataType.INT32 },
    });
    await expect(probeShapes(model, {}, executor)).rejects.toThrow(/needs a feed for graph input 'x'/);
  });
});
