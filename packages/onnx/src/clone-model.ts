import type { ModelProto, TensorProto } from './types.js';

/** A copy of a tensor's header (name, dims, ...) sharing its payload arrays. */
function shareTensor(t: TensorProto): TensorProto {
  return { ...t, dims: [...t.dims], externalData: t.externalData.map((e) => ({ ...e })), metadataProps: t.metadataProps.map((e) => ({ ...e })) };
}

/**
 * A deep copy of `model` for graph surgery in which the initializers' payloads (raw_data and the
 * typed repeated fields) are shared with `model` instead of copied: nodes, value infos and tensor
 * headers are independent, so edits of the copy's graph never show in the original, but a model's
 * weights are held once however many working copies exist. Nothing in Anneal writes into a tensor
 * payload in place; code that does must copy that tensor first.
 *
 * @example const work = cloneModel(model); work.graph.node.push(extraNode); // model is unchanged
 */
export function cloneModel(model: ModelProto): ModelProto {
  const copy: ModelProto = structuredClone({ ...model, graph: { ...model.graph, initializer: [] as TensorProto[] } });
  copy.graph.initializer = model.graph.initializer.map(shareTensor);
  return copy;
}
