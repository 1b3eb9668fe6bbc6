import { checkTensor } from './check-tensor.js';
import { MalformedModelError } from './errors.js';
import { forEachTensor } from './tensor-walk.js';
import type { GraphProto, ModelProto, ValueInfoProto } from './types.js';

// What decodeModel checks of every model before anything reads it: the tensors against their
// dims (check-tensor.ts) and the dims of the declared inputs, outputs and value infos.

function checkValueInfo(v: ValueInfoProto, role: string, source: string): void {
  const dims = v.type?.tensorType?.shape?.dim ?? [];
  dims.forEach((d, axis) => {
    if (d.dimValue !== undefined && (!Number.isSafeInteger(d.dimValue) || d.dimValue < 0)) {
      throw new MalformedModelError(source, `${role} '${v.name}' declares dim ${axis} as ${d.dimValue}`, 'Dims are integers >= 0 or symbolic names; re-export the model.');
    }
  });
}

function checkGraphValues(g: GraphProto, source: string): void {
  g.input.forEach((v) => checkValueInfo(v, 'input', source));
  g.output.forEach((v) => checkValueInfo(v, 'output', source));
  g.valueInfo.forEach((v) => checkValueInfo(v, 'value_info', source));
  for (const n of g.node) for (const a of n.attribute) for (const sub of [a.g, ...a.graphs]) if (sub) checkGraphValues(sub, source);
}

/**
 * Checks a decoded model: every tensor (initializers, sparse parts, tensor attributes, subgraphs
 * included) holds exactly the data its dims and type say, and declared dims are integers >= 0.
 * Called by {@link decodeModel}, so every reader of a file gets it.
 * @throws InvalidTensorError or MalformedModelError naming `source`
 */
export function checkModel(model: ModelProto, source: string): void {
  forEachTensor(model, (t) => void checkTensor(t, source));
  checkGraphValues(model.graph, source);
}
