import type { GradContext } from '../grad-context.js';
import type { GradientRule } from '../registry.js';

/** Swaps the last two axes of a rank-r tensor. */
function transposeLast2(ctx: GradContext, x: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  return ctx.op('Transpose', [x], { perm });
}

function matmulBackward(ctx: GradContext): (string | undefined)[] {
  const [a, b] = [ctx.x(0), ctx.x(1)];
  const ra = ctx.rank(a);
  const rb = ctx.rank(b);
  const dY = ctx.dy();
  const ry = ctx.rank(ctx.y());
  if (ra === 1 || rb === 1) {
    // vectors: lift a to [1,K] and b to [K,1], apply the matrix formulas, sum the lifted axes away
    const r = Math.max(ra, rb, 2);
    const a2 = ra === 1 ? ctx.unsqueeze(a, [0]) : a;
    const b2 = rb === 1 ? ctx.unsqueeze(b, [1]) : b;
    let g = dY;
    if (ra === 1 && rb === 1) g = ctx.op('Reshape', [dY, ctx.ints([1, 1])]);
    else if (ra === 1) g = ctx.unsqueeze(dY, [r - 2]);
    else g = ctx.unsqueeze(dY, [r - 1]);
    const lead = (n: number) => Array.from({ length: n }, (_, i) => i);
    let dA: string | undefined;
    let dB: string | undefined;
    if (ctx.needs(0)) {
      const full = ctx.op('MatMul', [g, transposeLast2(ctx, b2, Math.max(rb, 2))]);
      dA = ra === 1 ? ctx.reshapeLike(ctx.reduceSum(full, lead(r - 1), false), a) : ctx.unbroadcast(full, a, r);
    }
    if (ctx.needs(1)) {
      const full = ctx.op('MatMul', [transposeLast2(ctx, a2, Math.max(ra, 2)), g]);
      dB = rb === 1 ? ctx.reshapeLike(ctx.reduceSum(full, lead(r - 2), false), b) : ctx.unbroadcast(full, b, r);
    }
    return [dA, dB];
  }
  let dA: string | undefined;
  let dB: string | undefined;
  if (ctx.needs(0)) dA = ctx.unbroadcast(ctx.op('MatMul', [dY, transposeLast2(ctx, b, rb)]), a, ry);
  if (ctx.needs(1)) {
    if (rb === 2 && ra > 2) {
      // weight of a batched input: flatten batch axes and use one Gemm(transA) — dB = A2ᵀ·dY2
      const k = ctx.shape(a).dims[ra - 1]!;
      const n = ctx.shape(ctx.y()).dims[ry - 1]!;
      const a2 = ctx.op('Reshape', [a, ctx.ints([-1, k])]);
      const g2 = ctx.op('Reshape', [dY, ctx.ints([-1, n])]);
      dB = ctx.op('Gemm', [a2, g2], { transA: 1 });
    } else if (rb === 2 && ra === 2) {
      dB = ctx.op('Gemm', [a, dY], { transA: 1 });
    } else {
      dB = ctx.unbroadcast(ctx.op('MatMul', [transposeLast2(ctx, a, ra), dY]), b, ry);
    }
  }
  return [dA, dB];
}

function gemmBackward(ctx: GradContext): (string | undefined)[] {
  const [a, b, c] = [ctx.x(0), ctx.x(1), ctx.x(2)];
  const alpha = ctx.attr.float('alpha', 1);
  const beta = ctx.attr.float('beta', 1);
  const tA = ctx.attr.int('transA', 0);
  const tB = ctx.attr.int('transB', 0);
  const dY = ctx.dy();
  const gemm = (x: string, y: string, transA: number, transB: number) => ctx.op('Gemm', [x, y], { alpha, transA, transB });
  let dA: string | undefined;
  let dB: string | undefined;
  if (ctx.needs(0)) {
    if (!tA && !tB) dA = gemm(dY, b, 0, 1);
    else if (!tA && tB) dA = gemm(dY, b, 0, 0);
    else if (tA && !tB) dA = gemm(b, dY, 0, 1);
    else dA = gemm(b, dY, 1, 1);
  }
  if (ctx.needs(1)) {
    if (!tA && !tB) dB = gemm(a, dY, 1, 0);
    else if (!tA && tB) dB = gemm(dY, a, 1, 0);
    else if (tA && !tB) dB = gemm(a, dY, 0, 0);
    else dB = gemm(dY, a, 1, 1);
  }
  let dC: string | undefined;
  if (c && ctx.needs(2)) {
    const g = ctx.unbroadcast(dY, c, 2);
    dC = beta === 1 ? g : ctx.op('Mul', [g, ctx.scalar(beta)]);
  }
  return [dA, dB, dC];
}

/** MatMul (any rank, numpy broadcasting) and Gemm (all transA/transB, alpha, beta). */
export const matmulRules: GradientRule[] = [
  { ops: ['MatMul'], backward: matmulBackward },
  { ops: ['Gemm'], backward: gemmBackward },
];
