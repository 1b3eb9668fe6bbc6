import type { GradContext } from '../grad-context.js';
import type { GradientRule } from '../registry.js';

/** Whether a BatchNormalization node normalizes with batch statistics. */
function isTraining(ctx: GradContext): boolean {
  // opset 14+: the training_mode attribute; opset 9-13: training is signalled by the extra outputs
  if (ctx.opset >= 14) return ctx.attr.int('training_mode', 0) === 1;
  return ctx.node.output.slice(1).some((o) => !!o);
}

/**
 * BatchNormalization over [N, C, ...spatial] (any rank ≥ 2; statistics per channel over N and the
 * spatial axes).
 *
 * Inference mode is an affine map: dX = dY·γ/σ with σ = √(var+ε), dγ = Σ dY·x̂, dβ = Σ dY, and
 * (for frozen-statistics graphs that differentiate them) dmean = −dβ·γ/σ, dvar = −½·dγ·γ/σ².
 *
 * Training mode (training_mode=1) recomputes the batch mean and biased variance (the forward's extra
 * outputs are the running statistics, not the batch ones, and stay declared: ORT needs all 3) and
 * uses dX = (γ/σ)·(dY − mean(dY) − x̂·mean(dY·x̂)). Gradients reaching the running-statistics outputs
 * (rare) flow to input_mean/input_var (× momentum) and to X through the batch statistics.
 */
function batchNormBackward(ctx: GradContext): (string | undefined)[] {
  const [x, scale, , mean, variance] = [ctx.x(0), ctx.x(1), ctx.x(2), ctx.x(3), ctx.x(4)];
  const rank = ctx.rank(x);
  const channels = ctx.shape(x).dims[1]!;
  const axes = [0, ...Array.from({ length: rank - 2 }, (_, a) => a + 2)];
  const epsilon = Math.fround(ctx.attr.float('epsilon', 1e-5)); // attributes are float32 in the model
  // a per-channel [C] vector broadcast against X as [C, 1, ..., 1]
  const perChannelShape = ctx.ints([channels, ...Array(rank - 2).fill(1)]);
  const broadcast = (v: string) => (rank > 2 ? ctx.op('Reshape', [v, perChannelShape]) : v);
  const toVector = (v: string) => ctx.op('Reshape', [v, ctx.ints([channels])]);
  const dY = ctx.dY[0];

  if (!isTraining(ctx)) {
    if (!dY) return [];
    const invStd = ctx.op('Reciprocal', [ctx.op('Sqrt', [ctx.op('Add', [variance, ctx.scalar(epsilon)])])]);
    const gain = ctx.op('Mul', [scale, invStd]);
    const needStats = ctx.needs(1) || ctx.needs(3) || ctx.needs(4);
    const xHat = needStats ? ctx.op('Mul', [ctx.op('Sub', [x, broadcast(mean)]), broadcast(invStd)]) : undefined;
    const dScale = xHat && (ctx.needs(1) || ctx.needs(4)) ? ctx.reduceSum(ctx.op('Mul', [dY, xHat]), axes, false) : undefined;
    const dBias = ctx.needs(2) || ctx.needs(3) ? ctx.reduceSum(dY, axes, false) : undefined;
    return [
      ctx.needs(0) ? ctx.op('Mul', [dY, broadcast(gain)]) : undefined,
      ctx.needs(1) ? dScale : undefined,
      ctx.needs(2) ? dBias : undefined,
      ctx.needs(3) ? ctx.op('Neg', [ctx.op('Mul', [dBias!, gain])]) : undefined,
      ctx.needs(4) ? ctx.op('Mul', [ctx.op('Mul', [dScale!, ctx.op('Mul', [gain, invStd])]), ctx.scalar(-0.5)]) : undefined,
    ];
  }

  // keep the running-statistics outputs declared: ORT runs training mode only with all 3 outputs
  ctx.ensureOutput(1, 'running_mean');
  ctx.ensureOutput(2, 'running_var');
  const [dRunningMean, dRunningVar] = [ctx.dY[1], ctx.dY[2]];
  if (dY && !dRunningMean && !dRunningVar && ctx.opset >= 14) return fusedTrainingBackward(ctx, dY, axes, broadcast);
  const count = ctx.op('Div', [ctx.op('Cast', [ctx.op('Size', [x])], { to: ctx.floatType }), ctx.scalar(channels)]);
  const batchMean = ctx.reduceMean(x, axes, true);
  const centered = ctx.op('Sub', [x, batchMean]);
  const batchVar = ctx.reduceMean(ctx.op('Mul', [centered, centered]), axes, true);
  const invStd = ctx.op('Reciprocal', [ctx.op('Sqrt', [ctx.op('Add', [batchVar, ctx.scalar(epsilon)])])]);
  const xHat = ctx.op('Mul', [centered, invStd]);
  const momentum = Math.fround(ctx.attr.float('momentum', 0.9));

  let dX: string | undefined;
  let sumDy: string | undefined;
  let sumDyXHat: string | undefined;
  if (dY) {
    sumDy = ctx.reduceSum(dY, axes, true);
    sumDyXHat = ctx.reduceSum(ctx.op('Mul', [dY, xHat]), axes, true);
    if (ctx.needs(0)) {
      const meanTerms = ctx.op('Div', [ctx.op('Add', [sumDy, ctx.op('Mul', [xHat, sumDyXHat])]), count]);
      dX = ctx.op('Mul', [ctx.op('Sub', [dY, meanTerms]), ctx.op('Mul', [broadcast(scale), invStd])]);
    }
  }
  if (ctx.needs(0) && (dRunningMean || dRunningVar)) {
    // running = momentum·input + (1 − momentum)·batch statistic (mean, biased variance)
    const share = ctx.scalar(1 - momentum);
    let g = dX;
    const add = (t: string) => (g = g ? ctx.op('Add', [g, t]) : t);
    if (dRunningMean) add(ctx.op('Expand', [ctx.op('Div', [ctx.op('Mul', [broadcast(dRunningMean), share]), count]), ctx.shapeOf(x)]));
    if (dRunningVar) add(ctx.op('Div', [ctx.op('Mul', [ctx.op('Mul', [broadcast(dRunningVar), ctx.scalar(2 * (1 - momentum))]), centered]), count]));
    dX = g;
  }
  return [
    dX,
    ctx.needs(1) && sumDyXHat ? toVector(sumDyXHat) : undefined,
    ctx.needs(2) && sumDy ? toVector(sumDy) : undefined,
    ctx.needs(3) && dRunningMean ? ctx.op('Mul', [dRunningMean, ctx.scalar(momentum)]) : undefined,
    ctx.needs(4) && dRunningVar ? ctx.op('Mul', [dRunningVar, ctx.scalar(momentum)]) : undefined,
  ];
}

/**
 * Training-mode backward with fused ops, when only Y's gradient flows (the usual case): a second
 * BatchNormalization (scale 1, bias 0, momentum 0, training mode) gives x̂ and the batch mean and
 * biased variance in one op, instead of recomputing them with five full-size elementwise ops; then
 * dX = k·dY + a·x̂ + b with per-channel k = γ·σ⁻¹, a = −k·mean(dY·x̂), b = −k·mean(dY), the a·x̂ + b
 * part as one inference-mode BatchNormalization (mean 0, variance 1, ε 0: a per-channel affine map).
 * ORT writes a training-mode node's updated statistics into its mean/variance input buffers, so
 * those inputs are run-time buffers that nothing else reads (with momentum 0 their values do not matter).
 */
function fusedTrainingBackward(ctx: GradContext, dY: string, axes: number[], broadcast: (v: string) => string): (string | undefined)[] {
  const x = ctx.x(0);
  const epsilon = Math.fround(ctx.attr.float('epsilon', 1e-5));
  const sumDy = ctx.reduceSum(dY, axes, false);
  const channels = ctx.ints([ctx.shape(x).dims[1]!]);
  const [zeros, ones] = [ctx.op('Expand', [ctx.scalar(0), channels]), ctx.op('Expand', [ctx.scalar(1), channels])];
  // with momentum 0 the statistics inputs only need to be finite; Neg/Abs of the channel sums are
  // run-time buffers of their own (constants would be shared or merged by ORT's optimizer)
  const statsIn = [ctx.op('Neg', [sumDy]), ctx.op('Abs', [sumDy])];
  const [xHat, , batchVar] = ctx.b.node('BatchNormalization', [x, ones, zeros, ...statsIn], { epsilon, momentum: 0, training_mode: 1 }, { outputs: 3, name: ctx.b.uniqueName('grad_BatchNormalization_normalize') }) as [string, string, string];
  const sumDyXHat = ctx.reduceSum(ctx.op('Mul', [dY, xHat]), axes, false);
  if (!ctx.needs(0)) return [undefined, ctx.needs(1) ? sumDyXHat : undefined, ctx.needs(2) ? sumDy : undefined];
  const invStd = ctx.op('Reciprocal', [ctx.op('Sqrt', [ctx.op('Add', [batchVar, ctx.scalar(epsilon)])])]);
  const k = ctx.op('Mul', [ctx.x(1), invStd]);
  const perExample = ctx.op('Div', [ctx.op('Cast', [ctx.op('Size', [x])], { to: ctx.floatType }), ctx.op('Cast', [ctx.op('Size', [sumDy])], { to: ctx.floatType })]);
  const minusKOverCount = ctx.op('Neg', [ctx.op('Div', [k, perExample])]);
  const a = ctx.op('Mul', [minusKOverCount, sumDyXHat]);
  const b = ctx.op('Mul', [minusKOverCount, sumDy]);
  const affine = ctx.op('BatchNormalization', [xHat, a, b, zeros, ones], { epsilon: 0 });
  const dX = ctx.op('Add', [ctx.op('Mul', [dY, broadcast(k)]), affine]);
  return [dX, ctx.needs(1) ? sumDyXHat : undefined, ctx.needs(2) ? sumDy : undefined];
}

/** BatchNormalization in inference and training mode, 2-D [N,C] and N-D [N,C,...] inputs. */
export const batchNormRules: GradientRule[] = [{ ops: ['BatchNormalization'], backward: batchNormBackward }];
