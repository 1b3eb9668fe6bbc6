import { DataType } from '@anneal/onnx';

/** Concrete dims and element type of a tensor, as measured by a probe run (e.g. `probeShapes` in @anneal/runtime). */
export interface ShapeInfo {
  dims: number[];
  dataType: DataType;
}

/** Shapes of the forward graph's tensors, keyed by name. */
export type ShapeMap = ReadonlyMap<string, ShapeInfo>;

/** Whether an element type carries gradients. */
export function isFloatType(t: DataType): boolean {
  return t === DataType.FLOAT || t === DataType.DOUBLE || t === DataType.FLOAT16 || t === DataType.BFLOAT16;
}
