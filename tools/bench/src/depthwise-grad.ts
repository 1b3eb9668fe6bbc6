// Micro-benchmark: depthwise Conv weight gradient recipes on ONNX Runtime CPU, at MobileNetV3 /
// EfficientNet shapes (batch 16). Run: npx tsx tools/bench/src/depthwise-grad.ts
import * as ort from 'onnxruntime-node';
import { DataType, GraphBuilder, tensors } from '@anneal/onnx';
import { randomTensor, timeGraph } from './graph-timing.js';

interface Shape { c: number; size: number; k: number; s: number }
const N = 16;
const threads = Number(process.env.BENCH_THREADS ?? 2);

function geometry(sh: Shape) {
  const p = Math.floor(sh.k / 2);
  const out = Math.floor((sh.size + 2 * p - sh.k) / sh.s) + 1;
  return { p, out };
}

/** A: Conv over transposed tensors (X as [1, C·N, H, W], dY as [C, N, oh, ow] kernels, group C). */
function convBased(sh: Shape): GraphBuilder {
  const { p } = geometry(sh);
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, [N, sh.c, sh.size, sh.size]);
  b.input('dy', DataType.FLOAT, [N, sh.c, geometry(sh).out, geometry(sh).out]);
  const xt = b.op('Reshape', [b.op('Transpose', ['x'], { perm: [1, 0, 2, 3] }), b.ints([1, -1, sh.size, sh.size])]);
  const k = b.op('Transpose', ['dy'], { perm: [1, 0, 2, 3] });
  const full = b.op('Conv', [xt, k], { group: sh.c, strides: [1, 1], dilations: [sh.s, sh.s], pads: [p, p, p, p] });
  const cut = b.op('Slice', [full, b.ints([0, 0]), b.ints([sh.k, sh.k]), b.ints([2, 3])]);
  b.op('Transpose', [cut], { perm: [1, 0, 2, 3] }, { output: 'dw' });
  b.output('dw', DataType.FLOAT);
  return b;
}

/** B: im2col by a Conv with one-hot kernels on X as [N·C, 1, H, W], then a batched MatMul with dY and a sum over N. */
function oneHotIm2col(sh: Shape): GraphBuilder {
  const { p, out } = geometry(sh);
  const taps = sh.k * sh.k;
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, [N, sh.c, sh.size, sh.size]);
  b.input('dy', DataType.FLOAT, [N, sh.c, geometry(sh).out, geometry(sh).out]);
  const eye = new Float32Array(taps * taps);
  for (let t = 0; t < taps; t++) eye[t * taps + t] = 1;
  const e = b.initializer(tensors.float('eye', [taps, 1, sh.k, sh.k], eye));
  const col = b.op('Conv', [b.op('Reshape', ['x', b.ints([-1, 1, sh.size, sh.size])]), e], { strides: [sh.s, sh.s], pads: [p, p, p, p] });
  const col4 = b.op('Reshape', [col, b.ints([N, sh.c, taps, out * out])]);
  const dy4 = b.op('Reshape', ['dy', b.ints([N, sh.c, out * out, 1])]);
  const prod = b.op('MatMul', [col4, dy4]);
  b.op('Reshape', [b.op('ReduceSum', [prod, b.ints([0])], { keepdims: 0 }), b.ints([sh.c, 1, sh.k, sh.k])], {}, { output: 'dw' });
  b.output('dw', DataType.FLOAT);
  return b;
}

/** C: per tap, a strided Slice of the padded X times dY, summed over N, H, W. */
function perTap(sh: Shape): GraphBuilder {
  const { p, out } = geometry(sh);
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, [N, sh.c, sh.size, sh.size]);
  b.input('dy', DataType.FLOAT, [N, sh.c, geometry(sh).out, geometry(sh).out]);
  const xp = b.op('Pad', ['x', b.ints([0, 0, p, p, 0, 0, p, p])]);
  const parts: string[] = [];
  for (let i = 0; i < sh.k; i++) for (let j = 0; j < sh.k; j++) {
    const sl = b.op('Slice', [xp, b.ints([i, j]), b.ints([i + sh.s * (out - 1) + 1, j + sh.s * (out - 1) + 1]), b.ints([2, 3]), b.ints([sh.s, sh.s])]);
    parts.push(b.op('ReduceSum', [b.op('Mul', [sl, 'dy']), b.ints([0, 2, 3])], { keepdims: 0 }));
  }
  b.op('Reshape', [b.op('Concat', parts.map((q) => b.op('Unsqueeze', [q, b.ints([1])])), { axis: 1 }), b.ints([sh.c, 1, sh.k, sh.k])], {}, { output: 'dw' });
  b.output('dw', DataType.FLOAT);
  return b;
}

/** D: X as [1, N·C, H, W] with dY as [N·C, 1, oh, ow] kernels, group N·C (no transposes), then a sum over N. */
function perExample(sh: Shape): GraphBuilder {
  const { p } = geometry(sh);
  const b = new GraphBuilder({ opset: 17 });
  b.input('x', DataType.FLOAT, [N, sh.c, sh.size, sh.size]);
  b.input('dy', DataType.FLOAT, [N, sh.c, geometry(sh).out, geometry(sh).out]);
  const x1 = b.op('Reshape', ['x', b.ints([1, -1, sh.size, sh.size])]);
  const kernels = b.op('Reshape', ['dy', b.ints([N * sh.c, 1, geometry(sh).out, geometry(sh).out])]);
  const full = b.op('Conv', [x1, kernels], { group: N * sh.c, dilations: [sh.s, sh.s], pads: [p, p, p, p] });
  const cut = b.op('Slice', [full, b.ints([0, 0]), b.ints([sh.k, sh.k]), b.ints([2, 3])]);
  b.op('ReduceSum', [b.op('Reshape', [cut, b.ints([N, sh.c, 1, sh.k, sh.k])]), b.ints([0])], { keepdims: 0 }, { output: 'dw' });
  b.output('dw', DataType.FLOAT);
  return b;
}

const time = (b: GraphBuilder, feeds: Record<string, ort.Tensor>) => timeGraph(b, feeds, { threads, runs: 9, warmup: 2, pick: 'min' });

const shapes: Shape[] = [
  { c: 16, size: 112, k: 3, s: 2 }, { c: 72, size: 56, k: 3, s: 2 }, { c: 88, size: 28, k: 3, s: 1 }, { c: 96, size: 28, k: 5, s: 2 },
  { c: 240, size: 14, k: 5, s: 1 }, { c: 576, size: 7, k: 5, s: 1 }, { c: 32, size: 112, k: 3, s: 1 }, { c: 144, size: 56, k: 3, s: 1 },
];
const variants: [string, (s: Shape) => GraphBuilder][] = [['conv-based', convBased], ['one-hot im2col', oneHotIm2col], ['per-tap', perTap], ['per-example conv', perExample]];
console.log(`depthwise dW, batch ${N}, ${threads} threads, min of 9 runs (ms)`);
console.log(`shape                      ${variants.map(([n]) => n.padStart(17)).join('')}`);
for (const sh of shapes) {
  const { out } = geometry(sh);
  const feeds = { x: randomTensor([N, sh.c, sh.size, sh.size], 1), dy: randomTensor([N, sh.c, out, out], 2) };
  const cells: string[] = [];
  let ref: Float32Array | undefined;
  for (const [, make] of variants) {
    const r = await time(make(sh), feeds);
    let diff = 0;
    if (ref) for (let i = 0; i < ref.length; i++) diff = Math.max(diff, Math.abs(ref[i]! - r.dw[i]!));
    else ref = r.dw;
    cells.push(`${r.ms.toFixed(2)} (${diff.toExponential(0)})`.padStart(17));
  }
  console.log(`${`${sh.c}ch ${sh.size}x${sh.size} k${sh.k} s${sh.s}`.padEnd(27)}${cells.join('')}`);
}
