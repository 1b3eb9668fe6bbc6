import { GraphBuilder, type GraphProto, type ModelProto } from '@anneal/onnx';
import { alignMembers } from './align-members.js';
import { appendCombine, COMBINE_OUTPUTS, type CombineRule } from './combine-outputs.js';
import { EnsembleError } from './errors.js';
import { checkWeights } from './weights.js';

/** Options of {@link ensembleModel}. */
export interface EnsembleModelOptions {
  /**
   * How the members' logits are combined (default `'mean-probability'`):
   * - `'mean-probability'`: output `probabilities` [N, C], the weighted mean of the members' softmax;
   * - `'mean-logit'`: output `logits` [N, C], the weighted mean of the members' logits;
   * - `'vote'`: outputs `votes` [N, C] (sum of the weights of the members whose argmax is that class;
   *   counts with the default weights), `probabilities` [N, C] (as above) and `prediction` [N] int64
   *   (most votes; ties go to the higher mean probability, then to the lower class index).
   */
  combine?: CombineRule;
  /** One finite positive weight per member (default all 1); means use weights / their sum. */
  weights?: readonly number[];
  /** Name prefixes of the members' tensors and nodes (`<name>/...`); default `m0`, `m1`, ... */
  names?: readonly string[];
  /** Also output `member_logits` [K, N, C], each member's logits stacked (for per-member metrics). */
  memberOutputs?: boolean;
}

/** Metadata key under which the ensemble records how it was built (JSON). */
export const ENSEMBLE_METADATA_KEY = 'anneal.ensemble';

/**
 * K trained classifiers as ONE ONNX model: the members run side by side on the shared data input
 * (each member's other names prefixed `m<i>/`, so shared initializer names stay apart) and their
 * logits are combined in the graph, so plain ONNX Runtime (node or web) serves the ensemble like
 * any model. Members are upgraded to the highest default-domain opset among them first.
 *
 * @throws EnsembleError naming the member or option: fewer than 2 members, different data inputs
 *   (name, element type, feature dims), different class counts, non-float logits, bad weights or
 *   names, a member that cannot be upgraded to the common opset.
 * @example
 * const model = ensembleModel([a, b, c], { combine: 'mean-probability', weights: [1, 1, 2] });
 * saveModel('ensemble.onnx', model); // input x [N, ...], output probabilities [N, C]
 */
export function ensembleModel(members: readonly ModelProto[], options: EnsembleModelOptions = {}): ModelProto {
  const combine = options.combine ?? 'mean-probability';
  if (!(combine in COMBINE_OUTPUTS)) throw new EnsembleError('options.combine', `unknown rule '${String(combine)}'; use one of ${Object.keys(COMBINE_OUTPUTS).join(', ')}`);
  if (members.length < 2) throw new EnsembleError('members', `an ensemble needs at least 2 members, got ${members.length}`);
  const { weights, total } = checkWeights(options.weights, members.length);
  const aligned = alignMembers(members, options.names);
  const reserved = [...COMBINE_OUTPUTS[combine], ...(options.memberOutputs ? ['member_logits'] : [])];
  if (reserved.includes(aligned.input.name)) throw new EnsembleError('members[0]', `its data input is named '${aligned.input.name}', which the ensemble needs for an output; rename the input (e.g. to 'x')`);
  const { graphs } = aligned;
  const graph: GraphProto = {
    name: 'ensemble',
    docString: `ensemble of ${members.length} members, ${combine}`,
    node: graphs.flatMap((g) => g.node),
    initializer: graphs.flatMap((g) => g.initializer),
    sparseInitializer: graphs.flatMap((g) => g.sparseInitializer),
    input: [aligned.input, ...graphs.flatMap((g) => g.input)],
    output: [],
    valueInfo: graphs.flatMap((g) => g.valueInfo),
    quantizationAnnotation: graphs.flatMap((g) => g.quantizationAnnotation),
    metadataProps: [],
  };
  const b = new GraphBuilder({ graph, opset: aligned.opset, prefix: 'ensemble/' });
  appendCombine(b, combine, { logits: aligned.logits, weights, total, batch: aligned.batch, classes: aligned.classes });
  if (options.memberOutputs) {
    const stacked = aligned.logits.map((l) => b.op('Unsqueeze', [l, b.ints([0])]));
    b.op('Concat', stacked, { axis: 0 }, { output: 'member_logits' });
    b.output('member_logits', undefined, [members.length, aligned.batch, aligned.classes]);
  }
  const names = options.names ?? members.map((_, i) => `m${i}`);
  return {
    irVersion: aligned.irVersion,
    opsetImport: aligned.opsetImport,
    producerName: 'anneal',
    producerVersion: '0.1.0',
    docString: graph.docString,
    graph,
    metadataProps: [{ key: ENSEMBLE_METADATA_KEY, value: JSON.stringify({ combine, members: names, weights }) }],
    trainingInfo: [],
    functions: aligned.functions,
  };
}
