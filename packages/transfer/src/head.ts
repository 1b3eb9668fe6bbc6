import { seededRandom } from '@anneal/data';
import { DataType, GraphBuilder, tensors, type ModelProto } from '@anneal/onnx';
import { TransferError } from './errors';

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
