import { DataType, GraphBuilder, tensors, type ModelProto } from '@anneal/onnx';
import { seededRandom } from '@anneal/data';
import { EngineError } from './errors.js';

/** Options of {@link buildCnn}. */
export interface CnnOptions {
  /** Output channels of each conv block, in order (default [16, 32]). */
  channels?: readonly number[];
  /** Square kernel size of every conv, odd (default 3); padding keeps the size ("same"). */
  kernel?: number;
  /**
   * How each block halves the resolution: `'maxpool'` (conv stride 1, ReLU, MaxPool 2x2; the
   * default) or `'stride'` (the conv itself has stride 2, no pooling).
   */
  downsample?: 'maxpool' | 'stride';
  /** Hidden fully connected layer sizes between the flattened features and the classes (default [128]; [] for none). */
  hidden?: readonly number[];
  /** BatchNormalization after every conv (whose bias is then dropped), default false. */
  batchNorm?: boolean;
  /** Dropout ratio after every hidden fully connected layer (default 0: none). */
  dropout?: number;
  /** Input [channels, height, width] (default [1, 28, 28]). */
  input?: readonly [number, number, number];
  /** Number of classes, the width of `logits` (default 10). */
  classes?: number;
  /** Seed of the weight initialization (default 0). */
  seed?: number;
}

/**
 * A small convolutional classifier as an ONNX model: input `x` [N, C, H, W], output `logits`
 * [N, classes]. Each block is Conv (same padding) [-> BatchNormalization] -> ReLU and halves the
 * resolution (MaxPool 2x2, or a stride-2 conv); then Flatten, hidden Gemm + ReLU [+ Dropout]
 * layers and a final Gemm. Weights and biases are seeded like PyTorch's nn.Conv2d / nn.Linear
 * defaults: uniform in ±1/√fan_in (kaiming-uniform with a = √5), fan_in = in_channels·k² for
 * convs; BatchNormalization starts at scale 1, bias 0, running mean 0, variance 1 (momentum 0.1
 * in PyTorch's convention, epsilon 1e-5). Gemm weights are stored [fan_in, fan_out].
 *
 * @example
 * const model = buildCnn({ channels: [16, 32], hidden: [128], batchNorm: true, seed: 0 });
 * const s = await TrainSession.create({ model, loss: { kind: 'cross-entropy' }, optimizer: { optimizer: adam(), lr: 2e-3 }, sample, batchNorm: 'train' });
 */
export function buildCnn(options: CnnOptions = {}): ModelProto {
  const channels = options.channels ?? [16, 32];
  const kernel = options.kernel ?? 3;
  const hidden = options.hidden ?? [128];
  const [inChannels, height, width] = options.input ?? [1, 28, 28];
  const classes = options.classes ?? 10;
  const dropout = options.dropout ?? 0;
  const stride = options.downsample === 'stride';
  const positive = (v: number) => Number.isInteger(v) && v >= 1;
  if (channels.length === 0 || !channels.every(positive)) throw new EngineError(`buildCnn: options.channels must be one or more positive integers, got [${channels.join(', ')}]`);
  if (!hidden.every(positive)) throw new EngineError(`buildCnn: options.hidden must be positive integers, got [${hidden.join(', ')}]; use [] for no hidden layer`);
  if (!positive(kernel) || kernel % 2 === 0) throw new EngineError(`buildCnn: options.kernel must be an odd positive integer (same padding), got ${kernel}`);
  if (![inChannels, height, width, classes].every(positive)) throw new EngineError(`buildCnn: options.input and options.classes must be positive integers, got input [${[inChannels, height, width].join(', ')}], classes ${classes}`);
  if (!(dropout >= 0 && dropout < 1)) throw new EngineError(`buildCnn: options.dropout must be in [0, 1), got ${dropout}`);

  const rand = seededRandom(options.seed ?? 0);
  const uniform = (n: number, bound: number) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * bound);
  const b = new GraphBuilder({ opset: 17, name: 'cnn' });
  let h = b.input('x', DataType.FLOAT, ['N', inChannels, height, width]);
  let [c, hh, ww] = [inChannels, height, width];
  const pad = (kernel - 1) / 2;
  channels.forEach((out, i) => {
    const fanIn = c * kernel * kernel;
    const bound = 1 / Math.sqrt(fanIn);
    const weight = b.initializer(tensors.float(`conv${i}.weight`, [out, c, kernel, kernel], uniform(out * fanIn, bound)));
    const inputs = [h, weight];
    if (!options.batchNorm) inputs.push(b.initializer(tensors.float(`conv${i}.bias`, [out], uniform(out, bound))));
    h = b.op('Conv', inputs, { kernel_shape: [kernel, kernel], pads: [pad, pad, pad, pad], strides: stride ? [2, 2] : [1, 1] });
    if (options.batchNorm) {
      const stat = (name: string, value: number) => b.initializer(tensors.float(`bn${i}.${name}`, [out], new Float32Array(out).fill(value)));
      h = b.op('BatchNormalization', [h, stat('weight', 1), stat('bias', 0), stat('running_mean', 0), stat('running_var', 1)], { epsilon: 1e-5, momentum: 0.9 });
    }
    h = b.op('Relu', [h]);
    if (!stride) h = b.op('MaxPool', [h], { kernel_shape: [2, 2], strides: [2, 2] });
    // stride-2 conv with same padding: floor((s - 1) / 2) + 1; MaxPool 2x2: floor(s / 2)
    [c, hh, ww] = stride ? [out, Math.floor((hh - 1) / 2) + 1, Math.floor((ww - 1) / 2) + 1] : [out, Math.floor(hh / 2), Math.floor(ww / 2)];
    if (hh < 1 || ww < 1) throw new EngineError(`buildCnn: ${channels.length} downsampling blocks shrink the ${height}x${width} input below 1x1 at block ${i}; use fewer options.channels`);
  });
  h = b.op('Flatten', [h], { axis: 1 });
  const sizes = [c * hh * ww, ...hidden, classes];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const [fanIn, fanOut] = [sizes[i]!, sizes[i + 1]!];
    const bound = 1 / Math.sqrt(fanIn);
    const weight = b.initializer(tensors.float(`fc${i}.weight`, [fanIn, fanOut], uniform(fanIn * fanOut, bound)));
    const bias = b.initializer(tensors.float(`fc${i}.bias`, [fanOut], uniform(fanOut, bound)));
    const last = i + 2 === sizes.length;
    h = b.op('Gemm', [h, weight, bias], {}, last ? { output: 'logits' } : {});
    if (!last) {
      h = b.op('Relu', [h]);
      if (dropout > 0) h = b.node('Dropout', [h, b.scalar(dropout)], {}, { outputs: 1 })[0]!;
    }
  }
  b.output('logits', DataType.FLOAT, ['N', classes]);
  return b.build();
}
