import { seededRandom } from '@anneal/data';
import { DataType, GraphBuilder, tensors, type ModelProto, type TensorValue } from '@anneal/onnx';
import { TransferError } from './errors.js';

/** Options of {@link buildHead}. */
export interface HeadOptions {
  /** Width of the feature vector the head reads. */
  inputDim: number;
  classes: number;
  /** Hidden layer widths; [] (default) is a linear head. */
  hidden?: readonly number[];
  activation?: 'relu' | 'tanh';
  /** Dropout before each Gemm (0 = none). */
  dropout?: number;
  seed?: number;
  /** Name of the feature input (default 'features'). */
  inputName?: string;
  /** Prefix of parameter names (default 'head.'): freezing rules and LP-FT find the head by it. */
  prefix?: string;
  /**
   * Standardize the features inside the head, (f - mean) / std with constants (see
   * featureStatistics): features of pre-trained models often have tiny or uneven scales that a
   * linear probe fits badly. The constants are Constant nodes, never trained, and travel with the
   * exported model.
   */
  standardize?: { mean: ArrayLike<number>; std: ArrayLike<number> };
}

/**
 * Per-column mean and scale of [N, D] features for {@link HeadOptions.standardize}: the scale is
 * sqrt(variance + eps), with eps 1% of the mean column variance by default, so near-constant
 * columns (MNIST's border pixels, dead ReLUs) are not blown up.
 *
 * @example const head = buildHead({ inputDim: 200, classes: 10, standardize: featureStatistics(train.x) });
 */
export function featureStatistics(features: TensorValue, options: { eps?: number } = {}): { mean: Float32Array; std: Float32Array } {
  const [n, d] = features.dims as [number, number];
  if (features.dims.length !== 2 || !n) throw new TransferError('HEAD', `feature statistics need [N, D] features with N > 0, got [${features.dims.join(', ')}]`);
  const x = features.data as Float32Array;
  const mean = new Float64Array(d);
  const variance = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += x[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) variance[j]! += (x[i * d + j]! - mean[j]!) ** 2 / n;
  const meanVariance = variance.reduce((a, v) => a + v, 0) / d;
  const eps = options.eps ?? (meanVariance > 0 ? 0.01 * meanVariance : 1);
  return { mean: Float32Array.from(mean), std: Float32Array.from(variance, (v) => Math.sqrt(v + eps)) };
}

/**
 * A new classification head as an ONNX model: input `features` [N, inputDim], output `logits`,
 * Gemm layers named `head.fc<i>.weight|bias`, initialized like torch's nn.Linear (uniform
 * ±1/√fan_in), seeded.
 *
 * @example const head = buildHead({ inputDim: 200, classes: 10 }); // a linear probe
 */
export function buildHead(options: HeadOptions): ModelProto {
  const sizes = [options.inputDim, ...(options.hidden ?? []), options.classes];
  if (sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new TransferError('HEAD', `head sizes must be positive integers, got [${sizes.join(', ')}] (inputDim, hidden..., classes)`);
  const prefix = options.prefix ?? 'head.';
  const rand = seededRandom(options.seed ?? 0);
  const b = new GraphBuilder({ opset: 17, name: 'head' });
  let h = b.input(options.inputName ?? 'features', DataType.FLOAT, ['N', options.inputDim]);
  if (options.standardize) {
    const { mean, std } = options.standardize;
    if (mean.length !== options.inputDim || std.length !== options.inputDim) throw new TransferError('HEAD', `standardize needs ${options.inputDim} means and stds (one per feature), got ${mean.length} and ${std.length}`);
    const constant = (name: string, values: ArrayLike<number>) => b.op('Constant', [], { value: tensors.float(`${prefix}${name}`, [options.inputDim], Array.from(values)) }, { output: b.uniqueName(`${prefix}${name}`) });
    h = b.op('Div', [b.op('Sub', [h, constant('feature_mean', mean)]), constant('feature_std', std)]);
  }
  for (let i = 0; i + 1 < sizes.length; i++) {
    const [fanIn, fanOut] = [sizes[i]!, sizes[i + 1]!];
    const bound = 1 / Math.sqrt(fanIn);
    if (options.dropout) h = b.node('Dropout', [h, b.scalar(options.dropout)], {}, { outputs: 1 })[0]!;
    const w = b.initializer(tensors.float(`${prefix}fc${i}.weight`, [fanIn, fanOut], Array.from({ length: fanIn * fanOut }, () => (rand() * 2 - 1) * bound)));
    const bias = b.initializer(tensors.float(`${prefix}fc${i}.bias`, [fanOut], Array.from({ length: fanOut }, () => (rand() * 2 - 1) * bound)));
    const last = i + 2 === sizes.length;
    h = b.op('Gemm', [h, w, bias], {}, last ? { output: 'logits' } : {});
    if (!last) h = b.op(options.activation === 'tanh' ? 'Tanh' : 'Relu', [h]);
  }
  b.output('logits', DataType.FLOAT, ['N', options.classes]);
  return b.build();
}

/** Width of a head model's feature input (its second dim), when static. */
export function headInputDim(head: ModelProto, inputName = head.graph.input[0]?.name ?? 'features'): number | undefined {
  const input = head.graph.input.find((i) => i.name === inputName);
  const dims = input?.type?.tensorType?.shape?.dim;
  const d = dims?.[1]?.dimValue;
  return d === undefined || d === null ? undefined : Number(d);
}
