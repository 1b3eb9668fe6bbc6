import { DataType, GraphBuilder, tensors, type ModelProto, type TensorValue } from '@anneal/onnx';
import { seededRandom } from '@anneal/data';

/** Shared bench data and initial weights: generated once, written as .npy for the PyTorch side. */
export interface BenchData {
  features: TensorValue;
  labels: TensorValue;
  cnnX: TensorValue;
  cnnY: TensorValue;
  cnnEvalX: TensorValue;
  weights: Record<string, TensorValue>;
  config: {
    w1: { lr: number; batch: number; epochs: number };
    w2: { lr: number; batch: number; epochs: number };
    w3: { lr: number; steps: number };
    w4: { runs: number };
  };
}

const f32 = (dims: number[], data: Float32Array): TensorValue => ({ dataType: DataType.FLOAT, dims, data });

function uniform(n: number, bound: number, rand: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => (rand() * 2 - 1) * bound);
}

function labels(n: number, classes: number, rand: () => number): TensorValue {
  return { dataType: DataType.INT64, dims: [n], data: BigInt64Array.from({ length: n }, () => BigInt(Math.floor(rand() * classes))) };
}

export function makeBenchData(): BenchData {
  const rand = seededRandom(1234);
  const n = 10_000;
  const features = f32([n, 512], uniform(n * 512, 1, rand));
  const weights: Record<string, TensorValue> = {
    w1_0: f32([512, 10], uniform(5120, 1 / Math.sqrt(512), rand)),
    w1_1: f32([10], uniform(10, 1 / Math.sqrt(512), rand)),
    w2_0: f32([512, 1024], uniform(512 * 1024, 1 / Math.sqrt(512), rand)),
    w2_1: f32([1024], uniform(1024, 1 / Math.sqrt(512), rand)),
    w2_2: f32([1024, 10], uniform(10240, 1 / Math.sqrt(1024), rand)),
    w2_3: f32([10], uniform(10, 1 / Math.sqrt(1024), rand)),
    w3_0: f32([32, 1, 3, 3], uniform(288, 1 / 3, rand)),
    w3_1: f32([32], uniform(32, 1 / 3, rand)),
    w3_2: f32([64, 32, 3, 3], uniform(64 * 288, 1 / Math.sqrt(288), rand)),
    w3_3: f32([64], uniform(64, 1 / Math.sqrt(288), rand)),
    w3_4: f32([3136, 10], uniform(31360, 1 / Math.sqrt(3136), rand)),
    w3_5: f32([10], uniform(10, 1 / Math.sqrt(3136), rand)),
  };
  return {
    features,
    labels: labels(n, 10, rand),
    cnnX: f32([64, 1, 28, 28], Float32Array.from({ length: 64 * 784 }, () => rand())),
    cnnY: labels(64, 10, rand),
    cnnEvalX: f32([256, 1, 28, 28], Float32Array.from({ length: 256 * 784 }, () => rand())),
    weights,
    config: { w1: { lr: 0.05, batch: 128, epochs: 10 }, w2: { lr: 1e-3, batch: 256, epochs: 2 }, w3: { lr: 0.01, steps: 30 }, w4: { runs: 20 } },
  };
}

function linearLayers(b: GraphBuilder, x: string, weights: Record<string, TensorValue>, prefix: string, count: number): string {
  let h = x;
  for (let i = 0; i < count; i++) {
    const w = weights[`${prefix}_${2 * i}`]!;
    const bias = weights[`${prefix}_${2 * i + 1}`]!;
    const wn = b.initializer(tensors.float(`fc${i}.weight`, w.dims, w.data as Float32Array));
    const bn = b.initializer(tensors.float(`fc${i}.bias`, bias.dims, bias.data as Float32Array));
    h = b.op('Gemm', [h, wn, bn], {}, i + 1 === count ? { output: 'logits' } : {});
    if (i + 1 < count) h = b.op('Relu', [h]);
  }
  return h;
}

/** W1 (linear 512->10) and W2 (512->1024->10 ReLU) models with the shared initial weights. */
export function headModel(data: BenchData, which: 'w1' | 'w2'): ModelProto {
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, ['N', 512]);
  linearLayers(b, 'x', data.weights, which, which === 'w1' ? 1 : 2);
  b.output('logits', DataType.FLOAT, ['N', 10]);
  return b.build();
}

/** The W3/W4 CNN: conv 1->32 3x3 p1, ReLU, maxpool 2, conv 32->64 3x3 p1, ReLU, maxpool 2, linear 3136->10. */
export function cnnModel(data: BenchData): ModelProto {
  const w = data.weights;
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, ['N', 1, 28, 28]);
  const init = (name: string, key: string) => b.initializer(tensors.float(name, w[key]!.dims, w[key]!.data as Float32Array));
  let h = b.op('Conv', ['x', init('conv1.weight', 'w3_0'), init('conv1.bias', 'w3_1')], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  h = b.op('MaxPool', [b.op('Relu', [h])], { kernel_shape: [2, 2], strides: [2, 2] });
  h = b.op('Conv', [h, init('conv2.weight', 'w3_2'), init('conv2.bias', 'w3_3')], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  h = b.op('MaxPool', [b.op('Relu', [h])], { kernel_shape: [2, 2], strides: [2, 2] });
  h = b.op('Flatten', [h], { axis: 1 });
  b.op('Gemm', [h, init('fc.weight', 'w3_4'), init('fc.bias', 'w3_5')], {}, { output: 'logits' });
  b.output('logits', DataType.FLOAT, ['N', 10]);
  return b.build();
}
