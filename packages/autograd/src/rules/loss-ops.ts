import { DataType, tensors } from '@anneal/onnx';
import type { GradContext } from '../grad-context.js';
import type { GradientRule } from '../registry.js';

/** Per-sample bookkeeping shared by SoftmaxCrossEntropyLoss and NegativeLogLikelihoodLoss. */
interface LabelTerms {
  /** One-hot of the (ignore-safe) labels, [N, C, d...], in the gradient float type. */
  onehot: string;
  /** Per-sample weight w[label]·(label ≠ ignore_index), [N, d...]; undefined when every sample weighs 1. */
  sampleWeight?: string;
  /** Upstream gradient per sample for the op's reduction ([N, d...] or a scalar); undefined when none flows to the loss. */
  factor?: string;
  /** Whether `factor` has the samples' shape (it is a scalar otherwise). */
  perSample: boolean;
  /** 1 for kept samples, 0 for ignore_index ones, [N, d...]; undefined without ignore_index. */
  kept?: string;
}

/**
 * One-hot of class ids along axis 1: ONNX OneHot (one node) in float32; in other float types
 * (ORT's OneHot has no double kernel) labels [N,1,d...] compared with classes [1,C,1,...].
 */
function oneHot(ctx: GradContext, label: string, classCount: number, rank: number): string {
  if (ctx.floatType === DataType.FLOAT) {
    const depth = ctx.b.scalar(classCount, DataType.INT64);
    const offOn = ctx.b.initializer(tensors.float(ctx.b.uniqueName('grad_one_hot_values'), [2], [0, 1]));
    return ctx.op('OneHot', [label, depth, offOn], { axis: 1 });
  }
  const classShape = [1, classCount, ...Array<number>(rank - 2).fill(1)];
  const classes = ctx.b.initializer(tensors.int64(ctx.b.uniqueName('grad_classes'), classShape, Array.from({ length: classCount }, (_, i) => i)));
  return ctx.op('Cast', [ctx.op('Equal', [ctx.unsqueeze(label, [1]), classes])], { to: ctx.floatType });
}

function labelTerms(ctx: GradContext): LabelTerms {
  const [scores, labels, weights] = [ctx.x(0), ctx.x(1), ctx.x(2)];
  const rank = ctx.rank(scores);
  const classCount = ctx.shape(scores).dims[1]!;
  const reduction = ctx.attr.string('reduction', 'mean');
  let label = ctx.shape(labels).dataType === DataType.INT64 ? labels : ctx.op('Cast', [labels], { to: DataType.INT64 });
  let valid: string | undefined;
  if (ctx.attr.has('ignore_index')) {
    valid = ctx.op('Not', [ctx.op('Equal', [label, ctx.b.scalar(ctx.attr.int('ignore_index', -100), DataType.INT64)])]);
    // ignored samples point at class 0 so that Gather and the one-hot stay in range; their weight is 0
    label = ctx.op('Where', [valid, label, ctx.b.scalar(0, DataType.INT64)]);
  }
  const onehot = oneHot(ctx, label, classCount, rank);
  const validF = valid ? ctx.op('Cast', [valid], { to: ctx.floatType }) : undefined;
  const picked = weights ? ctx.op('Gather', [weights, label], { axis: 0 }) : undefined;
  const sampleWeight = picked && validF ? ctx.op('Mul', [picked, validF]) : (picked ?? validF);

  const dLoss = ctx.dY[0];
  const base = { onehot, sampleWeight, kept: validF };
  if (!dLoss) return { ...base, perSample: false };
  if (reduction === 'none') return { ...base, factor: sampleWeight ? ctx.op('Mul', [dLoss, sampleWeight]) : dLoss, perSample: true };
  if (reduction === 'sum') return { ...base, factor: sampleWeight ? ctx.op('Mul', [dLoss, sampleWeight]) : dLoss, perSample: !!sampleWeight };
  // mean: divided by Σ w[label_i] over kept samples (the sample count when unweighted), measured at run time
  const total = sampleWeight
    ? ctx.op('ReduceSum', [sampleWeight], { keepdims: 0 })
    : ctx.op('Cast', [ctx.op('Size', [labels])], { to: ctx.floatType });
  const perTotal = ctx.op('Div', [dLoss, total]);
  return { ...base, factor: sampleWeight ? ctx.op('Mul', [perTotal, sampleWeight]) : perTotal, perSample: !!sampleWeight };
}

/**
 * Gradient of the class weights: loss = Σ w[l_i]·nll_i (· 1/Σ w[l_i] for mean). Per sample,
 * c_i = dY·nll_i (none/sum) or dY·(nll_i − loss)/Σw (mean), summed into the class l_i.
 */
function weightGrad(ctx: GradContext, t: LabelTerms, nll: string): string | undefined {
  const dLoss = ctx.dY[0];
  if (!ctx.x(2) || !ctx.needs(2) || !dLoss) return undefined;
  const rank = ctx.rank(ctx.x(0));
  const reduction = ctx.attr.string('reduction', 'mean');
  let c: string;
  if (reduction === 'mean') {
    const total = ctx.op('ReduceSum', [t.sampleWeight!], { keepdims: 0 });
    c = ctx.op('Mul', [ctx.op('Div', [dLoss, total]), ctx.op('Sub', [nll, ctx.y(0)])]);
  } else c = ctx.op('Mul', [dLoss, nll]);
  // ignored samples point at class 0 in the one-hot: mask them out
  if (t.kept) c = ctx.op('Mul', [c, t.kept]);
  const axes = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)];
  return ctx.reduceSum(ctx.op('Mul', [t.onehot, ctx.unsqueeze(c, [1])]), axes, false);
}

/** factor shaped to broadcast against [N, C, d...]. */
const classBroadcast = (ctx: GradContext, t: LabelTerms) => (t.perSample ? ctx.unsqueeze(t.factor!, [1]) : t.factor!);

/** −Σ_c onehot·v over the class axis: the per-sample picked value, negated. */
const pickedNegated = (ctx: GradContext, t: LabelTerms, v: string) => ctx.op('Neg', [ctx.reduceSum(ctx.op('Mul', [t.onehot, v]), [1], false)]);

/**
 * SoftmaxCrossEntropyLoss: d scores = (softmax − onehot)·w[label]·scale, with softmax = Exp(log_prob)
 * from the op's second output; plus the LogSoftmax backward when log_prob itself is used.
 */
function softmaxCrossEntropyBackward(ctx: GradContext): (string | undefined)[] {
  const t = labelTerms(ctx);
  const logProb = ctx.ensureOutput(1, 'log_prob');
  const prob = ctx.op('Exp', [logProb]);
  const parts: string[] = [];
  if (t.factor) parts.push(ctx.op('Mul', [ctx.op('Sub', [prob, t.onehot]), classBroadcast(ctx, t)]));
  const dLogProb = ctx.dY[1];
  if (dLogProb) parts.push(ctx.op('Sub', [dLogProb, ctx.op('Mul', [prob, ctx.reduceSum(dLogProb, [1])])]));
  const dScores = parts.length === 2 ? ctx.op('Add', parts) : parts[0];
  return [ctx.needs(0) ? dScores : undefined, undefined, t.factor ? weightGrad(ctx, t, pickedNegated(ctx, t, logProb)) : undefined];
}

/** NegativeLogLikelihoodLoss: d input = −onehot·w[label]·scale. */
function negativeLogLikelihoodBackward(ctx: GradContext): (string | undefined)[] {
  const t = labelTerms(ctx);
  if (!t.factor) return [];
  return [
    ctx.needs(0) ? ctx.op('Neg', [ctx.op('Mul', [t.onehot, classBroadcast(ctx, t)])]) : undefined,
    undefined,
    weightGrad(ctx, t, pickedNegated(ctx, t, ctx.x(0))),
  ];
}

/** SoftmaxCrossEntropyLoss and NegativeLogLikelihoodLoss (opset 13+): scores/input and class weights; reductions mean/sum/none; ignore_index. */
export const lossOpRules: GradientRule[] = [
  { ops: ['SoftmaxCrossEntropyLoss'], backward: softmaxCrossEntropyBackward },
  { ops: ['NegativeLogLikelihoodLoss'], backward: negativeLogLikelihoodBackward },
];
