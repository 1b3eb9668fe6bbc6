import { DataType, describeValueInfo, GraphBuilder, renameGraph, tensors, upgradeOpset, type ModelProto, type GraphProto } from '@anneal/onnx';
import { EnsembleError } from './errors';

/** How member predictions are combined. */
export type CombineRule = 'mean-probability' | 'mean-logit' | 'vote';

/** Options of {@link ensembleModel}. */
export interface EnsembleModelOptions {
  /** Default 'mean-probability' (output `probabilities`); 'mean-logit' (output `logits`); 'vote' (output `votes`, one-hot votes summed; ArgMax of it takes the lowest class on ties). */
  combine?: CombineRule;
  /** Member weights (positive, normalized to sum 1); default equal. */
  weights?: readonly number[];
  /** Also output `member_logits` [K, N, C], for per-member metrics. */
  memberOutputs?: boolean;
}

const defaultOpset = (m: ModelProto) => Number(m.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0);

/** The one data input of a model (graph inputs that are not initializers). */
function dataInput(m: ModelProto, i: number) {
  const inits = new Set(m.graph.initializer.map((t) => t.name));
  const inputs = m.graph.input.filter((v) => !inits.has(v.name));
  if (inputs.length !== 1) throw new EnsembleError(`members[${i}]`, `a member needs exactly one data input, found ${inputs.length} (${inputs.map((v) => v.name).join(', ')})`);
  return inputs[0]!;
}

/**
 * Several trained classifiers as ONE ONNX model: the members run side by side on the shared data
 * input (every other name prefixed `m<i>/`) and their outputs are combined in the graph, so plain
 * ONNX Runtime (node or web) serves the ensemble like any model.
 *
 * @throws EnsembleError naming the member: too few members, different data inputs or class counts, bad weights.
 * @example
 * saveModel('ensemble.onnx', ensembleModel([a, b, c], { combine: 'mean-probability' })); // output: probabilities [N, C]
 */
export function ensembleModel(members: readonly ModelProto[], options: EnsembleModelOptions = {}): ModelProto {
  const combine = options.combine ?? 'mean-probability';
  if (members.length < 2) throw new EnsembleError('members', `an ensemble needs at least 2 members, got ${members.length}`);
  const weights = options.weights ?? members.map(() => 1);
  if (weights.length !== members.length || weights.some((w) => !(w > 0) || !Number.isFinite(w))) throw new EnsembleError('weights', `need ${members.length} positive weights (one per member), got [${weights.join(', ')}]`);
  const total = weights.reduce((a, b) => a + b, 0);
  const opset = Math.max(...members.map(defaultOpset), 13);
  const models = members.map((m) => (defaultOpset(m) < opset ? upgradeOpset(m, opset) : structuredClone(m)));
  const input = dataInput(models[0]!, 0);
  const described = describeValueInfo(input);
  let classes: number | undefined;
  const graphs: GraphProto[] = models.map((m, i) => {
    const own = dataInput(m, i);
    const d = describeValueInfo(own);
    if (own.name !== input.name || d.elemType !== described.elemType || JSON.stringify(d.dims?.slice(1)) !== JSON.stringify(described.dims?.slice(1))) {
      throw new EnsembleError(`members[${i}]`, `its data input ${own.name} ${DataType[d.elemType]} [${d.dims?.join(', ')}] differs from members[0]'s ${input.name} ${DataType[described.elemType]} [${described.dims?.join(', ')}]; every member must read the same input`);
    }
    const out = m.graph.output[0];
    if (!out) throw new EnsembleError(`members[${i}]`, 'the model has no output');
    const c = describeValueInfo(out).dims?.[1];
    if (typeof c === 'number') {
      if (classes !== undefined && c !== classes) throw new EnsembleError(`members[${i}]`, `it predicts ${c} classes, members[0..${i - 1}] ${classes}`);
      classes = c;
    }
    const g = m.graph;
    renameGraph(g, (name) => (name === input.name ? name : `m${i}/${name}`));
    g.input = g.input.filter((v) => v.name !== input.name);
    g.output = [g.output[0]!];
    return g;
  });
  const first = models[0]!;
  const graph: GraphProto = {
    ...first.graph,
    name: 'ensemble',
    node: graphs.flatMap((g) => g.node),
    initializer: graphs.flatMap((g) => g.initializer),
    sparseInitializer: graphs.flatMap((g) => g.sparseInitializer),
    input: [input, ...graphs.flatMap((g) => g.input)],
    valueInfo: graphs.flatMap((g) => g.valueInfo),
    quantizationAnnotation: [],
    output: [],
  };
  const b = new GraphBuilder({ graph, opset });
  const logits = graphs.map((g) => g.output[0]!.name);
  const weighted = (t: string, i: number) => (weights[i]! / total === 1 ? t : b.op('Mul', [t, b.scalar(weights[i]! / total)]));
  const classDim = typeof classes === 'number' ? classes : 'C';
  if (combine === 'mean-probability') {
    b.op('Sum', logits.map((l, i) => weighted(b.op('Softmax', [l], { axis: -1 }), i)), {}, { output: 'probabilities' });
    b.output('probabilities', DataType.FLOAT, ['N', classDim]);
  } else if (combine === 'mean-logit') {
    b.op('Sum', logits.map((l, i) => weighted(l, i)), {}, { output: 'logits' });
    b.output('logits', DataType.FLOAT, ['N', classDim]);
  } else {
    const depth = b.op('Gather', [b.op('Shape', [logits[0]!]), b.initializer(tensors.int64('ensemble.class_axis', [], [1]))]);
    const values = b.initializer(tensors.float('ensemble.onehot_values', [2], new Float32Array([0, 1])));
    b.op('Sum', logits.map((l, i) => weighted(b.op('OneHot', [b.op('ArgMax', [l], { axis: 1, keepdims: 0 }), depth, values], { axis: -1 }), i)), {}, { output: 'votes' });
    b.output('votes', DataType.FLOAT, ['N', classDim]);
  }
  if (options.memberOutputs) {
    const axis = b.initializer(tensors.int64('ensemble.member_axis', [1], [0]));
    b.op('Concat', logits.map((l) => b.op('Unsqueeze', [l, axis])), { axis: 0 }, { output: 'member_logits' });
    b.output('member_logits', DataType.FLOAT, [members.length, 'N', classDim]);
  }
  return { ...first, graph, opsetImport: [{ domain: '', version: opset }], functions: models.flatMap((m) => m.functions) };
}
