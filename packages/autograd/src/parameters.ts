import { DataType, GraphIndex, type ModelProto } from '@anneal/onnx';

/** Input positions that hold state or settings rather than trainable weights, by op type. */
const nonTrainableInputs: Record<string, readonly number[]> = {
  BatchNormalization: [3, 4],
  Clip: [1, 2],
  Dropout: [1, 2],
  Pad: [1, 2, 3],
  Resize: [1, 2, 3],
  Reshape: [1],
  Expand: [1],
  Tile: [1],
  Slice: [1, 2, 3, 4],
  ConstantOfShape: [0],
};

/**
 * The model's trainable parameters: float initializers used as data by at least one node, excluding
 * state such as BatchNormalization running statistics and settings such as Clip bounds.
 *
 * @example listParameters(model) // ['conv1.weight', 'bn1.weight', 'bn1.bias', 'fc.weight', ...]
 */
export function listParameters(model: ModelProto): string[] {
  const index = new GraphIndex(model.graph);
  const out: string[] = [];
  for (const t of model.graph.initializer) {
    const name = t.name ?? '';
    if (t.dataType !== DataType.FLOAT && t.dataType !== DataType.DOUBLE && t.dataType !== DataType.FLOAT16) continue;
    const consumers = index.consumers.get(name) ?? [];
    const usedAsWeight = consumers.some((n) => n.input.some((input, i) => input === name && !(nonTrainableInputs[n.opType] ?? []).includes(i)));
    if (usedAsWeight) out.push(name);
  }
  return out;
}

/** BatchNormalization running statistics (mean, var) of the model, by node. */
export function listRunningStatistics(model: ModelProto): { node: string; mean: string; variance: string }[] {
  return model.graph.node
    .filter((n) => n.opType === 'BatchNormalization')
    .map((n) => ({ node: n.name ?? '', mean: n.input[3] ?? '', variance: n.input[4] ?? '' }));
}
