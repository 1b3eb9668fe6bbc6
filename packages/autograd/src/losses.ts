import { DataType, tensors, type GraphBuilder } from '@anneal/onnx';

/** How per-sample losses are combined into the scalar loss. */
export type LossReduction = 'mean' | 'sum';

/** Options of {@link softmaxCrossEntropy}. */
export interface SoftmaxCrossEntropyOptions {
  /** Scores [N, C] or [N, C, d...] (unnormalized). */
  logits: string;
  /** Class ids (int64) [N] or [N, d...]. */
  labels: string;
  /** ε in [0, 1): blends in the uniform distribution over classes, as PyTorch's `label_smoothing`. */
  labelSmoothing?: number;
  /** One weight per class, as PyTorch's `weight`. */
  classWeights?: readonly number[];
  /** Default 'mean' (weighted mean when class weights are given). */
  reduction?: LossReduction;
}

/** ReduceMean over axes at the builder's opset (attribute before 18, input from 18); all axes when omitted. */
function reduceMean(b: GraphBuilder, x: string, axes?: number[], keepdims = 0): string {
  if (!axes) return b.op('ReduceMean', [x], { keepdims });
  return b.opset >= 18 ? b.op('ReduceMean', [x, b.ints(axes)], { keepdims }) : b.op('ReduceMean', [x], { axes, keepdims });
}

const reduceAll = (b: GraphBuilder, x: string, reduction: LossReduction) =>
  reduction === 'sum' ? b.op('ReduceSum', [x], { keepdims: 0 }) : reduceMean(b, x);

/**
 * Appends softmax cross-entropy (the fused SoftmaxCrossEntropyLoss op) and returns the scalar
 * loss. Matches `torch.nn.functional.cross_entropy(logits, labels, weight, label_smoothing=ε)`:
 * loss = (1 − ε)·CE + ε·S, where S = Σ_i mean_k(w_k·(−log p_ik)) divided by Σ_i w[label_i]
 * for 'mean' (by N without weights) and not divided for 'sum'.
 *
 * @example
 * const loss = softmaxCrossEntropy(b, { logits: 'logits', labels: 'labels', labelSmoothing: 0.1 });
 */
export function softmaxCrossEntropy(b: GraphBuilder, options: SoftmaxCrossEntropyOptions): string {
  const reduction = options.reduction ?? 'mean';
  const epsilon = options.labelSmoothing ?? 0;
  const weights = options.classWeights
    ? b.initializer(tensors.float(b.uniqueName('class_weights'), [options.classWeights.length], options.classWeights))
    : undefined;
  const [ce, logProb] = b.node('SoftmaxCrossEntropyLoss', [options.logits, options.labels, ...(weights ? [weights] : [])], { reduction }, { outputs: 2, name: b.uniqueName('softmax_cross_entropy') });
  if (epsilon === 0) return ce!;
  // per sample: mean over classes of −w_k·log p_k
  const weighted = weights ? b.op('Mul', [logProb!, classAxisVector(b, weights, options.logits)]) : logProb!;
  const smoothSum = b.op('Neg', [b.op('ReduceSum', [reduceMean(b, weighted, [1])], { keepdims: 0 })]);
  let smooth = smoothSum;
  if (reduction === 'mean') {
    const total = weights
      ? b.op('ReduceSum', [b.op('Gather', [weights, options.labels], { axis: 0 })], { keepdims: 0 })
      : b.op('Cast', [b.op('Size', [options.labels])], { to: DataType.FLOAT });
    smooth = b.op('Div', [smoothSum, total]);
  }
  return b.op('Add', [b.op('Mul', [ce!, b.scalar(1 - epsilon)]), b.op('Mul', [smooth, b.scalar(epsilon)])]);
}

/** Options of {@link softTargetCrossEntropy}. */
export interface SoftTargetCrossEntropyOptions {
  /** Scores [N, C], or [N, C, d...] at opset 13+ (LogSoftmax over axis 1 alone), unnormalized. */
  logits: string;
  /** Float class probabilities, the logits' shape (rows summing to 1: mixup / cutmix targets, distillation). */
  targets: string;
  /** ε in [0, 1): blends in the uniform distribution over classes, as PyTorch's `label_smoothing`. */
  labelSmoothing?: number;
  /** Default 'mean' over the batch (and the d... positions). */
  reduction?: LossReduction;
}

/**
 * Appends cross-entropy against probability targets and returns the scalar loss:
 * per position −Σ_k t_k·log_softmax(x)_k over the class axis 1, averaged over N (and d...) for
 * 'mean', summed for 'sum'. Matches `torch.nn.functional.cross_entropy(logits, targets,
 * label_smoothing=ε)` with float targets (torch then uses (1 − ε)·t + ε/C). With one-hot targets
 * it equals {@link softmaxCrossEntropy} of the class ids. Differentiable in the logits and the targets.
 *
 * @example
 * // targets [N, C] from mixup: λ·onehot(y) + (1 − λ)·onehot(y_partner)
 * const loss = softTargetCrossEntropy(b, { logits: 'logits', targets: 'labels' });
 */
export function softTargetCrossEntropy(b: GraphBuilder, options: SoftTargetCrossEntropyOptions): string {
  const epsilon = options.labelSmoothing ?? 0;
  const logProb = b.op('LogSoftmax', [options.logits], { axis: 1 });
  // −Σ_k t_k·log p_k per position: [N, d...]
  let perPosition = b.op('Neg', [reduceSum(b, b.op('Mul', [options.targets, logProb]), [1])]);
  if (epsilon > 0) {
    // (1 − ε)·t + ε/C gives (1 − ε)·CE(t) + ε·mean_k(−log p_k): the class count is not needed
    const uniform = b.op('Neg', [reduceMean(b, logProb, [1])]);
    perPosition = b.op('Add', [b.op('Mul', [perPosition, b.scalar(1 - epsilon)]), b.op('Mul', [uniform, b.scalar(epsilon)])]);
  }
  return reduceAll(b, perPosition, options.reduction ?? 'mean');
}

/** ReduceSum over axes at the builder's opset (attribute before 13, input from 13). */
function reduceSum(b: GraphBuilder, x: string, axes: number[], keepdims = 0): string {
  return b.opset >= 13 ? b.op('ReduceSum', [x, b.ints(axes)], { keepdims }) : b.op('ReduceSum', [x], { axes, keepdims });
}

/** Reshapes a [C] vector to [1, C, 1, ...] matching the rank of `like` at run time (any rank ≥ 2). */
function classAxisVector(b: GraphBuilder, vector: string, like: string): string {
  const extra = b.op('Sub', [b.op('Size', [b.op('Shape', [like])]), b.scalar(2, DataType.INT64)]);
  const ones = b.op('ConstantOfShape', [b.op('Reshape', [extra, b.ints([1])])], { value: tensors.int64('', [1], [1]) });
  return b.op('Reshape', [vector, b.op('Concat', [b.ints([1, -1]), ones], { axis: 0 })]);
}

/** Options of {@link binaryCrossEntropyWithLogits}. */
export interface BinaryCrossEntropyOptions {
  /** Scores of any shape. */
  logits: string;
  /** Float targets in [0, 1], the logits' shape. */
  targets: string;
  /** Weight of the positive term, as PyTorch's `pos_weight` (a number, or one per last-axis class). */
  posWeight?: number | readonly number[];
  /** Default 'mean' over every element. */
  reduction?: LossReduction;
}

/**
 * Appends the numerically stable binary cross-entropy on logits and returns the scalar loss:
 * max(x, 0) − x·t + log(1 + exp(−|x|)) per element; with pos_weight p it is
 * (1 − t)·x + (1 + (p − 1)·t)·softplus(−x), as `torch.nn.functional.binary_cross_entropy_with_logits`.
 *
 * @example
 * const loss = binaryCrossEntropyWithLogits(b, { logits: 'logits', targets: 'targets' });
 */
export function binaryCrossEntropyWithLogits(b: GraphBuilder, options: BinaryCrossEntropyOptions): string {
  const x = options.logits;
  const t = options.targets;
  // log(1 + exp(−|x|))
  const tail = b.op('Log', [b.op('Add', [b.scalar(1), b.op('Exp', [b.op('Neg', [b.op('Abs', [x])])])])]);
  let perElement: string;
  if (options.posWeight === undefined) {
    perElement = b.op('Add', [b.op('Sub', [b.op('Relu', [x]), b.op('Mul', [x, t])]), tail]);
  } else {
    const p = typeof options.posWeight === 'number'
      ? b.scalar(options.posWeight)
      : b.initializer(tensors.float(b.uniqueName('pos_weight'), [options.posWeight.length], options.posWeight));
    const softplusNeg = b.op('Add', [b.op('Relu', [b.op('Neg', [x])]), tail]);
    const logWeight = b.op('Add', [b.scalar(1), b.op('Mul', [b.op('Sub', [p, b.scalar(1)]), t])]);
    perElement = b.op('Add', [b.op('Mul', [b.op('Sub', [b.scalar(1), t]), x]), b.op('Mul', [logWeight, softplusNeg])]);
  }
  return reduceAll(b, perElement, options.reduction ?? 'mean');
}

/** Options of {@link meanSquaredError}. */
export interface MeanSquaredErrorOptions {
  predictions: string;
  /** Float targets, the predictions' shape. */
  targets: string;
  /** Default 'mean' over every element. */
  reduction?: LossReduction;
}

/**
 * Appends the squared error (p − t)² averaged over every element and returns the scalar loss.
 *
 * @example
 * const loss = meanSquaredError(b, { predictions: 'y', targets: 'targets' });
 */
export function meanSquaredError(b: GraphBuilder, options: MeanSquaredErrorOptions): string {
  const d = b.op('Sub', [options.predictions, options.targets]);
  return reduceAll(b, b.op('Mul', [d, d]), options.reduction ?? 'mean');
}
