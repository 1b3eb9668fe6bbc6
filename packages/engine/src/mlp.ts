import { DataType, GraphBuilder, tensors, type ModelProto } from '@anneal/onnx';
import { seededRandom } from '@anneal/data';

/**
 * A multi-layer perceptron as an ONNX model (input `x` [N, sizes[0]], output `logits`), Gemm
 * layers initialized like PyTorch's nn.Linear (uniform in ±1/√fan_in), seeded.
 *
 * @example const model = buildMlp({ sizes: [784, 128, 10], seed: 0 });
 */
export function buildMlp(options: { sizes: readonly number[]; activation?: 'relu' | 'tanh' | 'gelu'; seed?: number; dropout?: number }): ModelProto {
  const { sizes } = options;
  if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new Error(`MLP sizes must be 2+ positive integers, got [${sizes.join(', ')}]`);
  const rand = seededRandom(options.seed ?? 0);
  const opset = options.activation === 'gelu' ? 20 : 17;
  const b = new GraphBuilder({ opset, name: 'mlp' });
  let h = b.input('x', DataType.FLOAT, ['N', sizes[0]!]);
  for (let i = 0; i + 1 < sizes.length; i++) {
    const [fanIn, fanOut] = [sizes[i]!, sizes[i + 1]!];
    const bound = 1 / Math.sqrt(fanIn);
    const w = b.initializer(tensors.float(`fc${i}.weight`, [fanIn, fanOut], Float32Array.from({ length: fanIn * fanOut }, () => (rand() * 2 - 1) * bound)));
    const bias = b.initializer(tensors.float(`fc${i}.bias`, [fanOut], Float32Array.from({ length: fanOut }, () => (rand() * 2 - 1) * bound)));
    const last = i + 2 === sizes.length;
    h = b.op('Gemm', [h, w, bias], {}, last ? { output: 'logits' } : {});
    if (!last) {
      const act = options.activation ?? 'relu';
      h = b.op(act === 'relu' ? 'Relu' : act === 'tanh' ? 'Tanh' : 'Gelu', [h]);
      if (options.dropout) h = b.node('Dropout', [h, b.scalar(options.dropout)], {}, { outputs: 1 })[0]!;
    }
  }
  b.output('logits', DataType.FLOAT, ['N', sizes[sizes.length - 1]!]);
  return b.build();
}
