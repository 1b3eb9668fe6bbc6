import { defaultOpset, loadModel, promoteConstants, upgradeOpset, type ModelProto } from '@anneal/onnx';

/** What {@link prepareModel} changed. */
export interface PreparedModel {
  model: ModelProto;
  /** Constant nodes whose weights became initializers. */
  promoted: string[];
  /** Opset before and after. */
  opset: { from: number; to: number };
}

/**
 * Loads an ONNX model for training: resolves external data (inside the model's folder only),
 * promotes weight-carrying Constant nodes to initializers (exported models such as PaddleOCR's
 * keep every weight in Constant nodes) and upgrades opsets below 13 to 17, which gradients need.
 *
 * @example const { model } = prepareModel('backbone.onnx');
 */
export function prepareModel(source: string | ModelProto, options: { targetOpset?: number } = {}): PreparedModel {
  const loaded = typeof source === 'string' ? loadModel(source) : source;
  const from = defaultOpset(loaded);
  const promotedResult = promoteConstants(loaded);
  let model = promotedResult.model;
  const target = options.targetOpset ?? (from < 13 ? 17 : from);
  if (target !== from) model = upgradeOpset(model, target);
  return { model, promoted: promotedResult.promoted, opset: { from, to: target } };
}
