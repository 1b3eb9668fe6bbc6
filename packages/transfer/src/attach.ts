import { mergeModels, type ModelProto } from '@anneal/onnx';
import type { Backbone } from './backbone.js';
import { ShapeMismatchError } from './errors.js';
import { headInputDim } from './head.js';

/** Options of {@link attachHead}. */
export interface AttachHeadOptions {
  /** Head input that reads the backbone feature (default: the head's first input). */
  headInput?: string;
  /** Feature width when the backbone cannot tell statically (e.g. measured with probeFeatureDim). */
  featureDim?: number;
}

/**
 * One model from backbone and head: the head's feature input reads the backbone's feature
 * tensor; the output is the head's logits. Used for fine-tuning and for exporting a single
 * inference model after training the head on cached features.
 *
 * @throws ShapeMismatchError when the head expects another feature width than the backbone gives.
 * @example const model = attachHead(backbone, buildHead({ inputDim: backbone.featureDim!, classes: 10 }));
 */
export function attachHead(backbone: Backbone, head: ModelProto, options: AttachHeadOptions = {}): ModelProto {
  const headInput = options.headInput ?? head.graph.input.find((i) => !head.graph.initializer.some((t) => t.name === i.name))?.name ?? 'features';
  const want = headInputDim(head, headInput);
  const have = options.featureDim ?? backbone.featureDim;
  if (want !== undefined && have !== undefined && want !== have) {
    throw new ShapeMismatchError(
      `head input '${headInput}' attached to backbone tensor '${backbone.feature}' (cut at '${backbone.cutAt}')`,
      ['N', want],
      ['N', have],
      `Build the head with inputDim ${have}, or cut the backbone at a tensor of width ${want}.`,
    );
  }
  return mergeModels(backbone.model, head, { connect: { [headInput]: backbone.feature } });
}
