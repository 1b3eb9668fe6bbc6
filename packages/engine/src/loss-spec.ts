import { builtinLosses, type Loss, type LossEmitter } from '@anneal/autograd';
import type { DataType } from '@anneal/onnx';
import { EngineError } from './errors.js';

/** The built-in losses by name, with their options (a shorthand for the descriptors of @anneal/autograd's `builtinLosses`). */
export type LossSpec =
  | { kind: 'cross-entropy'; labelSmoothing?: number; classWeights?: number[] }
  /** Against class probabilities [N, classes] (mixup / cutmix soft targets, distillation). */
  | { kind: 'soft-target-cross-entropy'; labelSmoothing?: number }
  | { kind: 'bce-with-logits'; posWeight?: number[] }
  | { kind: 'mse' };

/** The built-in losses' names (their descriptors' ids). */
export const lossKinds: readonly LossSpec['kind'][] = builtinLosses.map((d) => d.id as LossSpec['kind']);

/**
 * A loss as the train step needs it: a {@link Loss} (from a loss plugin) is used as it is, a
 * {@link LossSpec} is built by its built-in descriptor.
 *
 * @example
 * resolveLoss({ kind: 'cross-entropy', labelSmoothing: 0.1 }).labels; // DataType.INT64
 */
export function resolveLoss(loss: LossSpec | Loss): Loss {
  if ('emit' in loss) return loss;
  const { kind, ...options } = loss;
  const descriptor = builtinLosses.find((d) => d.id === kind);
  if (!descriptor) throw new EngineError(`unknown loss '${kind}'; use one of ${lossKinds.join(', ')}, or pass a Loss built by a loss plugin`);
  const parsed = descriptor.options.safeParse(options);
  if (!parsed.success) throw new EngineError(`loss '${kind}': ${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')}`);
  return descriptor.create(parsed.data, { path: 'loss', build: () => { throw new EngineError(`loss '${kind}' has no nested specs`); } });
}

/** Element type of the labels a loss expects. */
export function labelType(loss: LossSpec | Loss): DataType {
  return resolveLoss(loss).labels;
}

/** The graph emitter of a loss. */
export function lossEmitter(loss: LossSpec | Loss): LossEmitter {
  return resolveLoss(loss).emit;
}
