import { DataType } from '@anneal/onnx';
import type { PluginContext, PluginDescriptor } from '@anneal/plugin';
import { z } from 'zod';
import { builtinGradientRules } from './default-registry.js';
import { binaryCrossEntropyWithLogits, meanSquaredError, softmaxCrossEntropy, softTargetCrossEntropy } from './losses.js';
import type { GradientRule } from './registry.js';
import type { LossEmitter } from './train-step.js';

/**
 * A loss as the train step needs it: the element type of the labels, whether predictions are
 * classes (an argmax of the logits, which enables accuracy), and the graph emitter of the mean
 * loss of a batch. Everything it emits must be differentiable by the gradient registry.
 */
export interface Loss {
  /** Element type of the `labels` input: INT64 class ids, or FLOAT targets. */
  readonly labels: DataType;
  /** Whether the logits score classes (evaluation then reports accuracy from their argmax). */
  readonly classification: boolean;
  /** Appends the loss of `logits` against `labels`; returns the scalar's name. */
  readonly emit: LossEmitter;
}

/** What a loss's `create` receives besides its options. */
export interface LossContext extends PluginContext {
  /** Classes of the task (width of the logits), when known. */
  readonly classes?: number;
}

/** What gradient rules' `create` receives. */
export type GradientRuleContext = PluginContext;

/** A loss configs can name (`loss: { type: <id>, ...options }`): the `loss` kind. */
export type LossDescriptor<O = unknown> = PluginDescriptor<'loss', O, Loss, LossContext>;
/**
 * Gradient rules a plugin package contributes: the `gradient-rule` kind. They are not named by
 * configs: every rule of every loaded package is added to the run's gradient registry after the
 * built-ins (a rule for an op that already has one replaces it).
 */
export type GradientRuleDescriptor<O = unknown> = PluginDescriptor<'gradient-rule', O, readonly GradientRule[], GradientRuleContext>;

/** The registry type map of the kinds @anneal/autograd owns. */
export interface AutogradKinds {
  loss: { product: Loss; context: LossContext };
  'gradient-rule': { product: readonly GradientRule[]; context: GradientRuleContext };
}

/**
 * A loss descriptor (`kind: 'loss'` filled in).
 *
 * @example
 * ```ts
 * export const l1 = defineLoss({ id: 'l1', description: 'mean absolute error', options: z.strictObject({}), create: () => ({ labels: DataType.FLOAT, classification: false, emit: (b, y, t) => b.op('ReduceMean', [b.op('Abs', [b.op('Sub', [y, t])])], { keepdims: 0 }) }) });
 * ```
 */
export function defineLoss<O>(descriptor: Omit<LossDescriptor<O>, 'kind'>): LossDescriptor<O> {
  return { kind: 'loss', ...descriptor };
}

/** A gradient-rule descriptor (`kind: 'gradient-rule'` filled in). */
export function defineGradientRules<O>(descriptor: Omit<GradientRuleDescriptor<O>, 'kind'>): GradientRuleDescriptor<O> {
  return { kind: 'gradient-rule', ...descriptor };
}

/** The built-in losses: `cross-entropy` (class ids), `soft-target-cross-entropy`, `bce-with-logits` and `mse` (float targets). */
export const builtinLosses: readonly LossDescriptor[] = [
  defineLoss({
    id: 'cross-entropy',
    description: 'softmax cross-entropy over class ids (torch cross_entropy, with label smoothing and class weights)',
    options: z.strictObject({ labelSmoothing: z.number().min(0).lt(1).optional(), classWeights: z.array(z.number().nonnegative()).min(1).optional() }),
    create: (o, ctx) => {
      if (o.classWeights && ctx.classes !== undefined && o.classWeights.length !== ctx.classes) throw new Error(`classWeights has ${o.classWeights.length} entries but the task has ${ctx.classes} classes`);
      return { labels: DataType.INT64, classification: true, emit: (b, logits, labels) => softmaxCrossEntropy(b, { logits, labels, labelSmoothing: o.labelSmoothing, classWeights: o.classWeights }) };
    },
  }),
  defineLoss({
    id: 'soft-target-cross-entropy',
    description: 'softmax cross-entropy against class probabilities [N, classes] (mixup / cutmix targets, distillation; torch cross_entropy with float targets and label smoothing)',
    options: z.strictObject({ labelSmoothing: z.number().min(0).lt(1).optional() }),
    // no accuracy from its own evaluation (labels are probabilities): evaluate with `cross-entropy` on class ids (TrainSession's evalLoss)
    create: (o) => ({ labels: DataType.FLOAT, classification: false, emit: (b, logits, labels) => softTargetCrossEntropy(b, { logits, targets: labels, labelSmoothing: o.labelSmoothing }) }),
  }),
  defineLoss({
    id: 'bce-with-logits',
    description: 'binary cross-entropy on logits against float targets in [0, 1] (torch binary_cross_entropy_with_logits)',
    options: z.strictObject({ posWeight: z.array(z.number().nonnegative()).min(1).optional() }),
    create: (o) => ({ labels: DataType.FLOAT, classification: false, emit: (b, logits, labels) => binaryCrossEntropyWithLogits(b, { logits, targets: labels, posWeight: o.posWeight }) }),
  }),
  defineLoss({
    id: 'mse',
    description: 'mean squared error against float targets',
    options: z.strictObject({}),
    create: () => ({ labels: DataType.FLOAT, classification: false, emit: (b, logits, labels) => meanSquaredError(b, { predictions: logits, targets: labels }) }),
  }),
];

/** The standard ai.onnx gradient rules as one descriptor, registered like any plugin's. */
export const builtinGradientRuleSets: readonly GradientRuleDescriptor[] = [
  defineGradientRules({ id: 'onnx-standard', description: 'gradients of the standard ai.onnx ops (see docs/ARCHITECTURE.md, Gradient coverage)', options: z.strictObject({}), create: () => builtinGradientRules }),
];
