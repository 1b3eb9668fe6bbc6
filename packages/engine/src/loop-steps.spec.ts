import { describe, expect, it } from 'vitest';
import { DataType, type TensorValue } from '@anneal/onnx';
import { sgd } from '@anneal/optim';
import { buildMlp } from './mlp.js';
import { buildLoopSteps } from './loop-steps.js';
import { TrainSession } from './train-session.js';

const sample: Record<string, TensorValue> = {
  x: { dataType: DataType.FLOAT, dims: [4, 6], data: Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)) },
  labels: { dataType: DataType.INT64, dims: [4], data: BigInt64Array.from([0n, 1n, 2n, 1n]) },
};

describe('buildLoopSteps', () => {
  it('wraps the step in a Loop fed under the single-step names, without stats, with invariants hoisted', async () => {
    const s = await TrainSession.create({ model: buildMlp({ sizes: [6, 5, 3], seed: 1 }), loss: { kind: 'cross-entropy' }, optimizer: { optimizer: sgd({ momentum: 0.9, dampening: 0.1 }), lr: 0.1 }, sample });
    const step = s.trainStep;
    const loop = buildLoopSteps(step);
    const g = loop.model.graph;
    expect(new Set(g.input.map((i) => i.name))).toEqual(new Set(step.model.graph.input.map((i) => i.name)));
    expect(loop.stackedInputs).toEqual(['x', 'labels']);
    expect(g.input.find((i) => i.name === 'x')!.type!.tensorType!.shape!.dim.length).toBe(3);
    expect(loop.stepInput).toBe('hp.step');
    expect(Object.values(loop.carried).sort()).toEqual(Object.keys(step.carried).sort());
    expect(g.output.map((o) => o.name)).toEqual([...Object.keys(loop.carried), loop.losses]);
    const loopNode = g.node.find((n) => n.opType === 'Loop')!;
    const body = loopNode.attribute[0]!.g!;
    expect(body.output.some((o) => o.name.startsWith('stats.') || o.name === step.logits)).toBe(false);
    expect(body.node.length).toBeLessThan(step.model.graph.node.length);
    // hyperparameter-only arithmetic (e.g. 1 - dampening) runs once, before the Loop
    const hoisted = g.node.slice(0, g.node.indexOf(loopNode)).filter((n) => !['Shape', 'Gather'].includes(n.opType));
    expect(hoisted.length).toBeGreaterThan(0);
    expect(body.node.some((n) => hoisted.includes(n))).toBe(false);
    // the step graph itself is left as it was
    expect(step.model.graph.output.some((o) => o.name.startsWith('stats.'))).toBe(true);
    await s.release();
  });
});
