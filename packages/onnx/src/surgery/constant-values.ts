import { tensors } from '../tensor.js';
import { DataType, type GraphProto, type NodeProto, type TensorProto } from '../types.js';

/**
 * The tensor a Constant node produces, from `value`, `value_float(s)` or `value_int(s)`;
 * undefined for `sparse_value`/`value_string(s)` (not handled) or other ops.
 */
export function constantNodeTensor(node: NodeProto): TensorProto | undefined {
  if (node.opType !== 'Constant' || (node.domain && node.domain !== 'ai.onnx')) return undefined;
  const name = node.output[0] ?? '';
  for (const a of node.attribute) {
    switch (a.name) {
      case 'value':
        return a.t ? { ...a.t, name } : undefined;
      case 'value_float':
        return tensors.float(name, [], [a.f ?? 0]);
      case 'value_floats':
        return tensors.float(name, [a.floats.length], a.floats);
      case 'value_int':
        return tensors.int64(name, [], [a.i ?? 0]);
      case 'value_ints':
        return tensors.int64(name, [a.ints.length], a.ints);
    }
  }
  return undefined;
}

/** Tensors of a graph whose values are fixed: initializers and Constant-node outputs, by name. */
export function constantTensors(graph: GraphProto): Map<string, TensorProto> {
  const out = new Map<string, TensorProto>();
  for (const t of graph.initializer) if (t.name) out.set(t.name, t);
  for (const n of graph.node) {
    const t = constantNodeTensor(n);
    if (t) out.set(n.output[0]!, t);
  }
  return out;
}

/** Whether a data type is a floating-point type. */
export function isFloatType(dataType: DataType): boolean {
  return dataType === DataType.FLOAT || dataType === DataType.DOUBLE || dataType === DataType.FLOAT16 || dataType === DataType.BFLOAT16;
}
