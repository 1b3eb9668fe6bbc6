import { withAllNodeOutputs } from '@anneal/autograd';
import { DataType, type ModelProto } from '@anneal/onnx';
import { createSession, isTensorValue, type Feeds, type SessionOptions } from '@anneal/runtime';
import { EngineError } from './errors.js';

/**
 * The loss of a train step was NaN or ±Infinity. The step's update was not applied: the
 * parameters keep their last finite values. `tensor` names the first tensor (a fed input, or a
 * node output in graph order) holding a non-finite value, `node` the node that produced it.
 */
export class NonFiniteLossError extends EngineError {
  override readonly code = 'NONFINITE_LOSS' as 'ENGINE';
  /** Losses of the steps of the same stepMany call that were applied before this one. */
  completed: number[] = [];
  constructor(
    readonly loss: number,
    /** Optimizer update number (1-based) that produced it. */
    readonly step: number,
    readonly tensor: string,
    readonly node?: string,
  ) {
    super(
      `the loss became ${loss} at step ${step}; the first non-finite tensor is '${tensor}'${node ? ` (output of node '${node}')` : ''}. ` +
        'Lower the learning rate, clip gradients (maxGradNorm), or check the inputs for NaN. The update was not applied: parameters keep their last finite values.',
    );
    this.name = 'NonFiniteLossError';
  }
}

function firstNonFinite(data: ArrayLike<number | bigint>): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v === 'number' && !Number.isFinite(v)) return i;
  }
  return -1;
}

const floatTypes = new Set<number>([DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16]);

/**
 * Finds the first tensor of a train step holding NaN/Inf for the given feeds: a fed input if one
 * is already non-finite, else the first node output in graph (topological) order. Runs the graph
 * once more with every node output exposed, so it is only for diagnosing a failure.
 *
 * @example
 * const where = await locateNonFinite(step.model, feeds, { device: 'cpu' }); // { tensor: '/fc1/Gemm_output_0', node: '/fc1/Gemm' }
 */
export async function locateNonFinite(model: ModelProto, feeds: Feeds, options: SessionOptions): Promise<{ tensor: string; node?: string } | undefined> {
  for (const input of model.graph.input) {
    const fed = feeds[input.name];
    if (!fed) continue;
    const data = isTensorValue(fed) ? fed.data : (fed.data as ArrayLike<number>);
    if (floatTypes.has(isTensorValue(fed) ? fed.dataType : fed.type === 'float32' ? DataType.FLOAT : -1) && firstNonFinite(data as ArrayLike<number>) >= 0) return { tensor: input.name };
  }
  const probe = withAllNodeOutputs(model);
  const session = await createSession(probe, { ...options, onWarning: undefined });
  try {
    const fed: Feeds = {};
    for (const i of model.graph.input) if (feeds[i.name]) fed[i.name] = feeds[i.name]!;
    const out = await session.run(fed, probe.graph.output.map((o) => o.name));
    for (const node of model.graph.node) {
      for (const name of node.output) {
        const t = out[name];
        if (t && t.type === 'float32' && firstNonFinite(t.data as Float32Array) >= 0) return { tensor: name, node: node.name || node.opType };
      }
    }
    return undefined;
  } finally {
    await session.release();
  }
}
