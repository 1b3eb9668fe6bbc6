import { DataType, GraphIndex, topologicalSort, type GraphBuilder, type GraphProto } from '@anneal/onnx';
import type { ShapeInfo } from './shapes.js';

/**
 * A training-mode Dropout whose mask is computed from a fed noise input: keep where
 * `noise >= ratio`, scale kept values by 1 / (1 - ratio). The caller feeds uniform [0, 1) noise
 * of shape [N, perExample] per step (reshaped in the graph to the dropped tensor's shape), so the
 * masks are a function of what is fed, not of a generator hidden in the session.
 */
export interface DropoutNoiseInput {
  /** Graph input name (`noise.dropout<i>`, i counting the model's Dropout nodes). */
  name: string;
  /** Index of the Dropout node among the model's Dropout nodes. */
  node: number;
  /** Noise values per example: the dropped tensor's size divided by the batch size. */
  perExample: number;
}

/** Why a Dropout keeps ONNX Runtime's own generator (its mask then depends on the session's history). */
function unsupported(x: ShapeInfo | undefined, ratio: ShapeInfo | undefined, batch: number, fromData: boolean): string | undefined {
  if (!x) return 'its input has no probed shape';
  if (!ratio || ratio.dataType !== DataType.FLOAT || ratio.dims.length > 0) return 'its ratio is not a float scalar';
  if (x.dataType !== DataType.FLOAT) return `its input is ${DataType[x.dataType]}, not float`;
  if (!fromData) return 'its input does not depend on the data (a weight dropout)';
  if (x.dims.length === 0 || x.dims[0]! % batch !== 0) return `its input's first dim ${x.dims[0]} is not a multiple of the batch size ${batch}`;
  return undefined;
}

/**
 * Replaces every training-mode Dropout of `graph` whose input is float and batch-major (its first
 * dim a multiple of the sample's batch size, computed from the data) by the noise form above; adds
 * the noise inputs and the shapes of the new tensors. Returns the noise inputs and the Dropouts
 * left alone, with the reason.
 */
export function dropoutFromNoise(b: GraphBuilder, graph: GraphProto, shapes: Map<string, ShapeInfo>, dataInputs: readonly string[], batch: number): { inputs: DropoutNoiseInput[]; kept: { node: number; reason: string }[] } {
  const index = new GraphIndex(graph);
  const dropouts = graph.node.filter((n) => n.opType === 'Dropout');
  const inputs: DropoutNoiseInput[] = [];
  const kept: { node: number; reason: string }[] = [];
  const data = new Set(dataInputs);
  dropouts.forEach((n, i) => {
    const [x, ratio] = [n.input[0]!, n.input[1]!];
    const fromData = index.ancestors([x]).some((a) => a.input.some((name) => data.has(name))) || data.has(x);
    const reason = unsupported(shapes.get(x), shapes.get(ratio), batch, fromData);
    if (reason) {
      kept.push({ node: i, reason });
      return;
    }
    const dims = shapes.get(x)!.dims;
    const perExample = dims.reduce((a, d) => a * d, 1) / batch;
    const name = b.uniqueName(`noise.dropout${i}`);
    b.input(name, DataType.FLOAT, ['N', perExample]);
    graph.node.splice(graph.node.indexOf(n), 1);
    const noise = b.op('Reshape', [name, b.ints([-1, ...dims.slice(1)])]);
    const drop = b.op('Less', [noise, ratio]);
    const keep = b.op('Not', [drop]);
    const kept01 = b.op('Cast', [keep], { to: DataType.FLOAT });
    const survive = b.op('Sub', [b.scalar(1), ratio]);
    const scale = b.op('Div', [b.scalar(1), survive]);
    const mask = b.op('Mul', [kept01, scale]);
    b.op('Mul', [x, mask], {}, { output: n.output[0]! });
    if (n.output[1]) b.op('Identity', [keep], {}, { output: n.output[1] });
    for (const [t, dataType] of [[noise, DataType.FLOAT], [drop, DataType.BOOL], [keep, DataType.BOOL], [kept01, DataType.FLOAT], [mask, DataType.FLOAT]] as const) shapes.set(t, { dims: [...dims], dataType });
    for (const t of [survive, scale]) shapes.set(t, { dims: [], dataType: DataType.FLOAT });
    inputs.push({ name, node: i, perExample });
  });
  graph.node = topologicalSort(graph);
  return { inputs, kept };
}
