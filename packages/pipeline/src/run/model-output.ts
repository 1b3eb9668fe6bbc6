import { DataType, type TensorValue } from '@anneal/onnx';
import { fromOrtTensor, type OrtTensor } from '@anneal/runtime';
import { PipelineError } from '../errors.js';

/**
 * A saved model's output is not what scoring or predicting needs (float class scores
 * [N, classes]): a rank-1 output, integer logits, one column, or a row count other than the
 * input's. The message names the model, the output and what it is.
 */
export class ModelOutputError extends PipelineError {
  constructor(
    readonly model: string,
    readonly output: string,
    detail: string,
  ) {
    super('MODEL_OUTPUT', `${model}: output '${output}' ${detail}`);
  }
}

const WANT = 'a classifier needs float scores [N, classes] (logits or probabilities, one column per class) as its first output; export the model with its logits, before any ArgMax, Cast or Squeeze';

/**
 * The first output of a classifier run as float32 class scores [N, C], checked: float (float64 is
 * converted), rank 2, at least 2 classes, `rows` rows. Anything else is a {@link ModelOutputError}
 * instead of a silent class 0 for every row or a raw JavaScript error.
 */
export function classScores(outputs: Record<string, OrtTensor>, model: string, rows: number): TensorValue & { data: Float32Array } {
  const [name, tensor] = Object.entries(outputs)[0] ?? [];
  if (!name || !tensor) throw new ModelOutputError(model, '(none)', `is missing: the model has no output; ${WANT}`);
  let value: TensorValue;
  try {
    value = fromOrtTensor(tensor, name);
  } catch (e) {
    throw new ModelOutputError(model, name, `has element type ${tensor.type}, which cannot be read (${(e as Error).message}); ${WANT}`);
  }
  const dims = value.dims.map(Number);
  if (value.dataType !== DataType.FLOAT && value.dataType !== DataType.DOUBLE) throw new ModelOutputError(model, name, `is ${DataType[value.dataType] ?? value.dataType} [${dims.join(', ')}], not float scores; ${WANT}`);
  if (dims.length !== 2) throw new ModelOutputError(model, name, `has dims [${dims.join(', ')}] (rank ${dims.length}); ${WANT}`);
  if (dims[0] !== rows) throw new ModelOutputError(model, name, `has ${dims[0]} rows for ${rows} input rows; ${WANT}`);
  if (dims[1]! < 2) throw new ModelOutputError(model, name, `has ${dims[1]} column(s): there is nothing to choose between; ${WANT}`);
  const data = value.data instanceof Float32Array ? value.data : Float32Array.from(value.data as Float64Array);
  return { dataType: DataType.FLOAT, dims, data };
}
