import { DataType, tensors } from '@anneal/onnx';
import type { GradContext } from '../grad-context.js';
import type { GradientRule } from '../registry.js';
import { BackwardError } from '../errors.js';

/** How a Resize node maps its input onto its output, read from attributes, probed shapes and constant inputs. */
interface ResizePlan {
  inSize: number[];
  outSize: number[];
  /** Axes whose size changes or whose scale is not known to be 1. */
  resized: number[];
  /** Per axis: the scale, when known at build time (constant scales, or sizes: out/in). */
  scale: (number | undefined)[];
  /** Per axis: index into the scales/sizes input (they cover `axes` only from opset 18). */
  slot: (number | undefined)[];
  useSizes: boolean;
}

function plan(ctx: GradContext): ResizePlan {
  const inSize = ctx.shape(ctx.x(0)).dims;
  const outSize = ctx.shape(ctx.y(0)).dims;
  const rank = inSize.length;
  const axes = ctx.normalizeAxes(ctx.attr.ints('axes', Array.from({ length: rank }, (_, a) => a)), rank);
  const scales = ctx.x(2);
  const useSizes = !!ctx.x(3) && (!scales || ctx.shape(scales).dims.reduce((p, q) => p * q, 1) === 0);
  const slot = Array.from({ length: rank }, (_, a) => (axes.includes(a) ? axes.indexOf(a) : undefined));
  const constantScales = useSizes ? undefined : ctx.constantValue(scales);
  const scale = inSize.map((l, a) => {
    if (slot[a] === undefined) return 1;
    if (useSizes) return outSize[a]! / l;
    return constantScales?.[slot[a]!];
  });
  // with runtime scales, an axis whose size does not change is taken to have scale 1
  const resized = inSize.map((_, a) => a).filter((a) => inSize[a] !== outSize[a] || (scale[a] !== undefined && scale[a] !== 1));
  return { inSize, outSize, resized, scale, slot, useSizes };
}

/**
 * Nearest-neighbour upsampling by integer factors where every output maps to the input element of its
 * s×s block (asymmetric + floor, half_pixel/pytorch_half_pixel + round_*, tf_half_pixel_for_nn + floor):
 * dX is a block sum. Undefined when the node is not such a case.
 */
function blockSum(ctx: GradContext, p: ResizePlan): string | undefined {
  if (ctx.attr.string('mode', 'nearest') !== 'nearest') return undefined;
  const ctm = ctx.attr.string('coordinate_transformation_mode', 'half_pixel');
  const nearest = ctx.attr.string('nearest_mode', 'round_prefer_floor');
  const blockwise =
    (ctm === 'asymmetric' && nearest === 'floor') ||
    (ctm === 'tf_half_pixel_for_nn' && nearest === 'floor') ||
    ((ctm === 'half_pixel' || ctm === 'pytorch_half_pixel') && (nearest === 'round_prefer_floor' || nearest === 'round_prefer_ceil'));
  if (!blockwise) return undefined;
  const factors = p.resized.map((a) => p.scale[a]);
  if (factors.some((f, i) => f === undefined || !Number.isInteger(f) || f < 2 || p.outSize[p.resized[i]!] !== p.inSize[p.resized[i]!]! * f)) return undefined;
  const dims: number[] = [];
  const summed: number[] = [];
  p.inSize.forEach((l, a) => {
    const i = p.resized.indexOf(a);
    if (i < 0) dims.push(a === 0 ? -1 : l);
    else {
      dims.push(l, factors[i]!);
      summed.push(dims.length - 1);
    }
  });
  return ctx.reduceSum(ctx.op('Reshape', [ctx.dy(), ctx.ints(dims)]), summed, false);
}

/**
 * The 1-D interpolation matrix of axis a, from the same Resize applied to an identity: E holds the
 * basis vectors of axis a stacked along another axis b (every other axis has length 1 and scale 1),
 * so Resize(E) holds A_a[y, j] at [j on b, y on a]. Returns it as [L, O] (Aᵀ) when b < a, else [O, L].
 */
function interpolationMatrix(ctx: GradContext, p: ResizePlan, a: number): { matrix: string; transposed: boolean } {
  const rank = p.inSize.length;
  const l = p.inSize[a]!;
  const b = a === 0 ? 1 : 0;
  const eDims = p.inSize.map((_, i) => (i === a || i === b ? l : 1));
  const eye = Array.from({ length: l * l }, (_, k) => (Math.floor(k / l) === k % l ? 1 : 0));
  const eName = ctx.b.uniqueName('grad_resize_eye');
  const eTyped = ctx.b.initializer(ctx.floatType === DataType.DOUBLE ? tensors.double(eName, eDims, eye) : tensors.float(eName, eDims, eye));
  let scales = '';
  let sizes = '';
  if (p.useSizes) sizes = ctx.ints(p.inSize.map((_, i) => (i === a ? p.outSize[a]! : i === b ? l : 1)));
  else if (p.scale[a] !== undefined) {
    scales = ctx.b.initializer(tensors.float(ctx.b.uniqueName('grad_resize_scales'), [rank], p.inSize.map((_, i) => (i === a ? p.scale[a]! : 1))));
  } else {
    const ones = (n: number) => ctx.b.initializer(tensors.float(ctx.b.uniqueName('grad_resize_ones'), [n], Array(n).fill(1)));
    const own = ctx.op('Slice', [ctx.x(2), ctx.ints([p.slot[a]!]), ctx.ints([p.slot[a]! + 1])]);
    scales = ctx.op('Concat', [...(a > 0 ? [ones(a)] : []), own, ...(a < rank - 1 ? [ones(rank - 1 - a)] : [])], { axis: 0 });
  }
  const copied: Record<string, string | number> = {};
  for (const name of ['mode', 'coordinate_transformation_mode', 'nearest_mode']) if (ctx.attr.has(name)) copied[name] = ctx.attr.string(name, '');
  for (const name of ['exclude_outside', 'antialias']) if (ctx.attr.has(name)) copied[name] = ctx.attr.int(name, 0);
  if (ctx.attr.has('cubic_coeff_a')) copied.cubic_coeff_a = ctx.attr.float('cubic_coeff_a', -0.75);
  const resized = ctx.op('Resize', sizes ? [eTyped, '', '', sizes] : [eTyped, '', scales], copied);
  const matrix = ctx.op('Reshape', [resized, ctx.ints(b < a ? [l, p.outSize[a]!] : [p.outSize[a]!, l])]);
  return { matrix, transposed: b < a };
}

/** dX[.., j, ..] = Σ_y A[y, j]·g[.., y, ..] along axis a, as one MatMul (Transposes around it for outer axes). */
function contract(ctx: GradContext, g: string, a: number, rank: number, m: { matrix: string; transposed: boolean }): string {
  if (a === rank - 2 && m.transposed) return ctx.op('MatMul', [m.matrix, g]);
  const aMatrix = m.transposed ? ctx.op('Transpose', [m.matrix], { perm: [1, 0] }) : m.matrix; // [O, L]
  if (a === rank - 1) return ctx.op('MatMul', [g, aMatrix]);
  const perm = Array.from({ length: rank }, (_, i) => (i === a ? rank - 1 : i === rank - 1 ? a : i));
  return ctx.op('Transpose', [ctx.op('MatMul', [ctx.op('Transpose', [g], { perm }), aMatrix])], { perm });
}

function resizeBackward(ctx: GradContext): (string | undefined)[] {
  if (!ctx.needs(0)) return [];
  const ctm = ctx.attr.string('coordinate_transformation_mode', 'half_pixel');
  if (ctm === 'tf_crop_and_resize') throw new BackwardError(`Resize node '${ctx.node.name}': coordinate_transformation_mode 'tf_crop_and_resize' is affine (extrapolation_value), not linear in X; no gradient rule`);
  const policy = ctx.attr.string('keep_aspect_ratio_policy', 'stretch');
  if (policy !== 'stretch') throw new BackwardError(`Resize node '${ctx.node.name}': keep_aspect_ratio_policy '${policy}' is not supported by the gradient rule; use 'stretch' (explicit sizes or scales)`);
  const p = plan(ctx);
  if (p.resized.length === 0) return [ctx.dy()];
  const fast = blockSum(ctx, p);
  if (fast) return [fast];
  const rank = p.inSize.length;
  let g = ctx.dy();
  // innermost axis first: one MatMul per resized axis
  for (const a of [...p.resized].reverse()) g = contract(ctx, g, a, rank, interpolationMatrix(ctx, p, a));
  return [g];
}

/**
 * Resize (opset 13+ inputs X, roi, scales, sizes; `axes` of opset 18): Y = A·X is linear in X and
 * separable per axis, so dX = Π_a A_aᵀ applied to dY along each resized axis. Each A_a is computed
 * in-graph by the same Resize (same mode, coordinate_transformation_mode, nearest_mode, cubic_coeff_a,
 * exclude_outside, antialias, and the axis's own scale or size) applied to an identity, so it is exact
 * for nearest, linear and cubic in every coordinate mode (ORT folds it into a constant). Integer-factor
 * nearest upsampling whose outputs form s×s blocks (the FPN case: asymmetric + floor) uses a block sum
 * (Reshape + ReduceSum) instead. Not supported: tf_crop_and_resize, keep_aspect_ratio_policy ≠ stretch.
 * Spatial sizes come from the probed shapes; the batch size may change at run time.
 */
export const resizeRules: GradientRule[] = [{ ops: ['Resize'], backward: resizeBackward }];
