// Micro-benchmark: Conv weight gradient, Anneal's im2col rule (Pad + per-tap strided Slices + Concat +
// Gemm/MatMul) vs the Conv-over-transposed-tensors recipe, on ONNX Runtime CPU.
// Run: cd /work/main && npx tsx tools/bench/src/conv-grad.ts   (BENCH_THREADS=n to change the 2 intra-op threads)
// (or node --conditions=@anneal/source --import tsx tools/bench/src/conv-grad.ts). Depthwise rows: the rule uses
// the Conv-based recipe there, which measured faster than im2col or per-tap Mul + ReduceSum.
import * as ort from 'onnxruntime-node';
import { DataType, GraphBuilder, type NodeProto } from '@anneal/onnx';
import { GradContext, defaultGradientRegistry, type ShapeInfo } from '@anneal/autograd';
import { randomTensor, timeGraph } from './graph-timing.js';

interface Config {
  label: string;
  n: number;
  cin: number;
  cout: number;
  size: number;
  group: number;
}

const kernel = 3;
const threads = Number(process.env.BENCH_THREADS ?? 2);

/** A graph computing only dW of Conv(x, w, pads=1) from inputs x and dy, with Anneal's Conv rule. */
function ruleGraph(c: Config): GraphBuilder {
  const b = new GraphBuilder({ opset: 17 });
  const xDims = [c.n, c.cin, c.size, c.size];
  const wDims = [c.cout, c.cin / c.group, kernel, kernel];
  const yDims = [c.n, c.cout, c.size, c.size];
  b.input('x', DataType.FLOAT, xDims);
  b.input('dy', DataType.FLOAT, yDims);
  // the forward node is only described (not in the graph): the rule reads its attributes and shapes
  const node: NodeProto = {
    name: 'conv',
    opType: 'Conv',
    input: ['x', 'w'],
    output: ['y'],
    attribute: convAttributes(c),
    metadataProps: [],
  };
  const shapes = new Map<string, ShapeInfo>([
    ['x', { dims: xDims, dataType: DataType.FLOAT }],
    ['w', { dims: wDims, dataType: DataType.FLOAT }],
    ['y', { dims: yDims, dataType: DataType.FLOAT }],
  ]);
  const ctx = new GradContext(b, node, ['dy'], [false, true], shapes, DataType.FLOAT);
  const rule = defaultGradientRegistry().get('Conv');
  if (!rule) throw new Error('no Conv gradient rule registered');
  const dW = rule.backward(ctx)[1]!;
  b.output(b.op('Identity', [dW], {}, { output: 'dw' }), DataType.FLOAT, wDims);
  return b;
}

function convAttributes(c: Config): NodeProto['attribute'] {
  const tmp = new GraphBuilder();
  tmp.op('Conv', ['x', 'w'], { pads: [1, 1, 1, 1], group: c.group, kernel_shape: [kernel, kernel] });
  return tmp.graph.node[0]!.attribute;
}

/** The reference recipe: Conv(X reshaped to [Cg, G·N, H, W], dY as [Cout, N, oH, oW] kernels, group=G). */
function convBasedGraph(c: Config): GraphBuilder {
  const b = new GraphBuilder({ opset: 17 });
  const cg = c.cin / c.group;
  b.input('x', DataType.FLOAT, [c.n, c.cin, c.size, c.size]);
  b.input('dy', DataType.FLOAT, [c.n, c.cout, c.size, c.size]);
  const x5 = b.op('Reshape', ['x', b.ints([0, c.group, cg, c.size, c.size])]);
  const xt = b.op('Reshape', [b.op('Transpose', [x5], { perm: [2, 1, 0, 3, 4] }), b.ints([cg, -1, c.size, c.size])]);
  const k = b.op('Transpose', ['dy'], { perm: [1, 0, 2, 3] });
  const full = b.op('Conv', [xt, k], { group: c.group, pads: [1, 1, 1, 1] });
  const cut = b.op('Slice', [full, b.ints([0, 0]), b.ints([kernel, kernel]), b.ints([2, 3])]);
  b.output(b.op('Transpose', [cut], { perm: [1, 0, 2, 3] }, { output: 'dw' }), DataType.FLOAT);
  return b;
}

const time = (b: GraphBuilder, feeds: Record<string, ort.Tensor>) => timeGraph(b, feeds, { threads, runs: 15, warmup: 3, pick: 'median' });

const configs: Config[] = [];
for (const n of [32, 64]) for (const size of [14, 28]) configs.push({ label: 'dense 3x3', n, cin: 32, cout: 64, size, group: 1 });
for (const n of [32, 64]) configs.push({ label: 'groups 4 3x3', n, cin: 32, cout: 64, size: 28, group: 4 });
for (const n of [32, 64]) configs.push({ label: 'depthwise 3x3', n, cin: 64, cout: 64, size: 28, group: 64 });

console.log(`Conv weight gradient, pads 1, stride 1, ORT ${ort.env.versions?.common ?? ''} CPU, ${threads} intra-op threads; median of 15 runs`);
console.log('variant         batch  Cin->Cout  HxW    Anneal rule   Conv-based   max |diff|   (the rule uses the Conv-based recipe for depthwise)');
for (const c of configs) {
  const feeds = { x: randomTensor([c.n, c.cin, c.size, c.size], 1), dy: randomTensor([c.n, c.cout, c.size, c.size], 2) };
  const mine = await time(ruleGraph(c), feeds);
  const ref = await time(convBasedGraph(c), feeds);
  let diff = 0;
  for (let i = 0; i < ref.dw.length; i++) diff = Math.max(diff, Math.abs(mine.dw[i]! - ref.dw[i]!));
  console.log(
    `${c.label.padEnd(15)} ${String(c.n).padStart(5)}  ${`${c.cin}->${c.cout}`.padEnd(9)}  ${`${c.size}x${c.size}`.padEnd(5)}  ${mine.ms.toFixed(2).padStart(8)} ms  ${ref.ms.toFixed(2).padStart(8)} ms   ${diff.toExponential(1)}`,
  );
}
