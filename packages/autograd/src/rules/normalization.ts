import { DataType } from '@anneal/onnx';
import type { GradContext } from '../grad-context.js';
import type { GradientRule } from '../registry.js';

/**
 * The normalization backward shared by LayerNormalization and InstanceNormalization:
 * with x̂ = (X − μ)·is and dx̂ = dY·γ, dX = is·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) over `axes`.
 */
function normalizedInputGrad(ctx: GradContext, dxHat: string, xHat: string, invStd: string, axes: number[]): string {
  const meanG = ctx.reduceMean(dxHat, axes);
  const meanGX = ctx.reduceMean(ctx.op('Mul', [dxHat, xHat]), axes);
  const centered = ctx.op('Sub', [ctx.op('Sub', [dxHat, meanG]), ctx.op('Mul', [xHat, meanGX])]);
  return ctx.op('Mul', [invStd, centered]);
}

/** x̂ and 1/√(var + ε) over `axes` (biased variance), recomputed with ReduceMean in the gradient type. */
function statistics(ctx: GradContext, x: string, axes: number[], epsilon: number): { xHat: string; invStd: string } {
  const centered = ctx.op('Sub', [x, ctx.reduceMean(x, axes)]);
  const variance = ctx.reduceMean(ctx.op('Mul', [centered, centered]), axes);
  // the forward op reads epsilon as float32
  const invStd = ctx.op('Reciprocal', [ctx.op('Sqrt', [ctx.op('Add', [variance, ctx.scalar(Math.fround(epsilon))])])]);
  return { xHat: ctx.op('Mul', [centered, invStd]), invStd };
}

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);

/**
 * LayerNormalization (opset 17): reuses the op's Mean and InvStdDev outputs (shaped with the
 * normalized axes kept as 1); in float64 checks they are recomputed, as ORT emits them in float32.
 */
function layerNormBackward(ctx: GradContext): (string | undefined)[] {
  const [x, scale, bias] = [ctx.x(0), ctx.x(1), ctx.x(2)];
  const rank = ctx.rank(x);
  const axis = ctx.attr.int('axis', -1);
  const axes = range(axis < 0 ? axis + rank : axis, rank);
  const dY = ctx.dy();
  const cast = (t: string) => ctx.op('Cast', [t], { to: ctx.floatType });
  const needsXHat = ctx.needs(0) || ctx.needs(1);
  let xHat: string | undefined;
  let invStd: string | undefined;
  if (needsXHat) {
    const stash = ctx.attr.int('stash_type', DataType.FLOAT);
    if (ctx.floatType === DataType.DOUBLE && stash !== DataType.DOUBLE) {
      // ORT emits Mean/InvStdDev in the stash type (float only): a float64 gradient recomputes them exactly
      const stats = statistics(ctx, x, axes, ctx.attr.float('epsilon', 1e-5));
      invStd = stats.invStd;
      xHat = stats.xHat;
    } else {
      const mean = cast(ctx.ensureOutput(1, 'mean'));
      invStd = cast(ctx.ensureOutput(2, 'inv_std_dev'));
      xHat = ctx.op('Mul', [ctx.op('Sub', [x, mean]), invStd]);
    }
  }
  return [
    ctx.needs(0) ? normalizedInputGrad(ctx, ctx.op('Mul', [dY, scale]), xHat!, invStd!, axes) : undefined,
    ctx.needs(1) ? ctx.unbroadcast(ctx.op('Mul', [dY, xHat!]), scale) : undefined,
    bias && ctx.needs(2) ? ctx.unbroadcast(dY, bias) : undefined,
  ];
}

/** InstanceNormalization: statistics over the spatial axes per (n, c), recomputed with ReduceMean (the op has no statistics outputs). */
function instanceNormBackward(ctx: GradContext): (string | undefined)[] {
  const [x, scale, bias] = [ctx.x(0), ctx.x(1), ctx.x(2)];
  const rank = ctx.rank(x);
  const spatial = range(2, rank);
  const perChannel = [0, ...spatial];
  const dY = ctx.dy();
  let xHat: string | undefined;
  let invStd: string | undefined;
  if (ctx.needs(0) || ctx.needs(1)) ({ xHat, invStd } = statistics(ctx, x, spatial, ctx.attr.float('epsilon', 1e-5)));
  // [C] -> [C, 1, ..., 1] to broadcast against [N, C, spatial...]
  const perChannelShape = (t: string) => (spatial.length ? ctx.unsqueeze(t, range(1, rank - 1)) : t);
  return [
    ctx.needs(0) ? normalizedInputGrad(ctx, ctx.op('Mul', [dY, perChannelShape(scale)]), xHat!, invStd!, spatial) : undefined,
    ctx.needs(1) ? ctx.reduceSum(ctx.op('Mul', [dY, xHat!]), perChannel, false) : undefined,
    ctx.needs(2) ? ctx.reduceSum(dY, perChannel, false) : undefined,
  ];
}

/** LayerNormalization (opset 17+) for X, Scale and B; InstanceNormalization for input, scale and B. */
export const normalizationRules: GradientRule[] = [
  { ops: ['LayerNormalization'], backward: layerNormBackward },
  { ops: ['InstanceNormalization'], backward: instanceNormBackward },
];
