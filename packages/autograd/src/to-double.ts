import { AttributeType, DataType, tensorToValue, valueToTensor, type ModelProto, type TensorProto, type TensorValue, type GraphProto } from '@anneal/onnx';

function tensorToDouble(t: TensorProto): TensorProto {
  if (t.dataType !== DataType.FLOAT) return t;
  const v = tensorToValue(t);
  return valueToTensor(t.name ?? '', { dataType: DataType.DOUBLE, dims: v.dims, data: Float64Array.from(v.data as Float32Array) });
}

function graphToDouble(g: GraphProto): void {
  g.initializer = g.initializer.map(tensorToDouble);
  for (const v of [...g.input, ...g.output, ...g.valueInfo]) {
    const tt = v.type?.tensorType;
    if (tt && tt.elemType === DataType.FLOAT) tt.elemType = DataType.DOUBLE;
  }
  for (const n of g.node) {
    for (const a of n.attribute) {
      if (a.type === AttributeType.TENSOR && a.t) a.t = tensorToDouble(a.t);
      if (a.type === AttributeType.GRAPH && a.g) graphToDouble(a.g);
      if ((a.name === 'to' || a.name === 'dtype') && a.type === AttributeType.INT && a.i === DataType.FLOAT) a.i = DataType.DOUBLE;
    }
  }
}

/** A copy of a float32 model computing in float64 (initializers, declared types, Cast targets, constants). */
export function modelToDouble(model: ModelProto): ModelProto {
  const m = structuredClone(model);
  graphToDouble(m.graph);
  return m;
}

/** float32 tensor values become float64; others are returned as they are. */
export function valueToDouble(v: TensorValue): TensorValue {
  return v.dataType === DataType.FLOAT ? { dataType: DataType.DOUBLE, dims: v.dims, data: Float64Array.from(v.data as Float32Array) } : v;
}
