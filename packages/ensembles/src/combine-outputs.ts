import { DataType, tensors, type Dim, type GraphBuilder } from '@anneal/onnx';

/** How member predictions are combined. */
export type CombineRule = 'mean-probability' | 'mean-logit' | 'vote';

/** Output names each combine rule adds (besides the optional `member_logits`). */
export const COMBINE_OUTPUTS: Readonly<Record<CombineRule, readonly string[]>> = {
  'mean-probability': ['probabilities'],
  'mean-logit': ['logits'],
  vote: ['votes', 'probabilities', 'prediction'],
};

/**
 * Vote totals within this fraction of the total weight count as tied (weighted votes are float
 * sums, so mathematically equal totals can differ in the last bit).
 */
export const VOTE_TIE_TOLERANCE = 1e-6;

interface CombineInput {
  readonly logits: readonly string[];
  readonly weights: readonly number[];
  readonly total: number;
  readonly batch: Dim;
  readonly classes: Dim;
}

/** Weighted mean of member tensors: Sum(w_i / total * t_i) (no Mul for a weight of exactly 1). */
function weightedSum(b: GraphBuilder, terms: readonly string[], scale: readonly number[], output: string): string {
  const scaled = terms.map((t, i) => (scale[i] === 1 ? t : b.op('Mul', [t, b.scalar(scale[i]!)])));
  return b.op('Sum', scaled, {}, { output });
}

function meanProbability(b: GraphBuilder, c: CombineInput): string {
  const probs = c.logits.map((l) => b.op('Softmax', [l], { axis: -1 }));
  const out = weightedSum(b, probs, c.weights.map((w) => w / c.total), 'probabilities');
  b.output(out, DataType.FLOAT, [c.batch, c.classes]);
  return out;
}

/** ReduceMax over the class axis, keeping it (axes moved from attribute to input in opset 18). */
function rowMax(b: GraphBuilder, x: string): string {
  return b.opset >= 18 ? b.op('ReduceMax', [x, b.ints([1])], { keepdims: 1 }) : b.op('ReduceMax', [x], { axes: [1], keepdims: 1 });
}

function vote(b: GraphBuilder, c: CombineInput): void {
  const depth = b.op('Gather', [b.op('Shape', [c.logits[0]!]), b.initializer(tensors.int64('ensemble.class_axis', [], [1]))]);
  const onOff = b.initializer(tensors.float('ensemble.onehot_values', [2], [0, 1]));
  const ballots = c.logits.map((l) => b.op('OneHot', [b.op('ArgMax', [l], { axis: 1, keepdims: 0 }), depth, onOff], { axis: -1 }));
  const votes = weightedSum(b, ballots, c.weights, 'votes');
  b.output(votes, DataType.FLOAT, [c.batch, c.classes]);
  const probabilities = meanProbability(b, c);
  const top = b.op('GreaterOrEqual', [votes, b.op('Sub', [rowMax(b, votes), b.scalar(VOTE_TIE_TOLERANCE * c.total)])]);
  const masked = b.op('Where', [top, probabilities, b.scalar(-1)]);
  b.op('ArgMax', [masked], { axis: 1, keepdims: 0 }, { output: 'prediction' });
  b.output('prediction', DataType.INT64, [c.batch]);
}

/**
 * Appends the combination of the members' logits to a graph and declares its outputs:
 * - `mean-probability`: `probabilities` = Σ w_i softmax(logits_i) / Σ w;
 * - `mean-logit`: `logits` = Σ w_i logits_i / Σ w;
 * - `vote`: `votes` = Σ w_i onehot(argmax logits_i) (counts for unit weights), the
 *   `probabilities` above, and `prediction` [N] int64: the class with most votes, ties broken by
 *   the higher mean probability, then by the lower class index.
 */
export function appendCombine(b: GraphBuilder, combine: CombineRule, c: CombineInput): void {
  if (combine === 'mean-probability') meanProbability(b, c);
  else if (combine === 'vote') vote(b, c);
  else {
    weightedSum(b, c.logits, c.weights.map((w) => w / c.total), 'logits');
    b.output('logits', DataType.FLOAT, [c.batch, c.classes]);
  }
}
