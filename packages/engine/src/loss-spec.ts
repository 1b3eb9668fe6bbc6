import { softmaxCrossEntropy, binaryCrossEntropyWithLogits, meanSquaredError, type LossEmitter } from '@anneal/autograd';
import { DataType } from '@anneal/onnx';

/** The built-in losses by name, with their options. */
export type LossSpec =
  | { kind: 'cross-entropy'; labelSmoothing?: number; classWeights?: number[] }
  | { kind: 'bce-with-logits'; posWeight?: number[] }
  | { kind: 'mse' };

/** Names accepted on the command line. */
export const lossKinds = ['cross-entropy', 'bce-with-logits', 'mse'] as const;

/** Element type of the labels each loss expects. */
export function labelType(spec: LossSpec): DataType {
  return spec.kind === 'cross-entropy' ? DataType.INT64 : DataType.FLOAT;
}

/** The graph emitter of a loss spec. */
export function lossEmitter(spec: LossSpec): LossEmitter {
  switch (spec.kind) {
    case 'cross-entropy':
      return (b, logits, labels) => softmaxCrossEntropy(b, { logits, labels, labelSmoothing: spec.labelSmoothing, classWeights: spec.classWeights });
    case 'bce-with-logits':
      return (b, logits, labels) => binaryCrossEntropyWithLogits(b, { logits, targets: labels, posWeight: spec.posWeight });
    case 'mse':
      return (b, logits, labels) => meanSquaredError(b, { predictions: logits, targets: labels });
  }
}
