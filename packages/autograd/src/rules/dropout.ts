import type { GradContext } from '../grad-context.js';
import type { GradientRule } from '../registry.js';

/**
 * Dropout (opset 13+: data, ratio, training_mode). Inference mode (training_mode absent or a
 * constant false) is the identity. Training mode reuses the forward's mask output (the same
 * random draw as the forward value): dX = dY·Cast(mask)/(1 − ratio). A training_mode computed
 * at run time selects between the two with Where.
 */
function dropoutBackward(ctx: GradContext): (string | undefined)[] {
  const dY = ctx.dy();
  const training = ctx.x(2);
  const constantMode = training ? ctx.constantValue(training) : [0];
  if (constantMode && !constantMode[0]) return [dY];
  const ratioName = ctx.x(1);
  const ratio = ratioName ? ctx.constantValue(ratioName) : [0.5];
  const mask = ctx.op('Cast', [ctx.ensureOutput(1, 'mask')], { to: ctx.floatType });
  const kept = ctx.op('Mul', [dY, mask]);
  // divide by (1 − ratio) like ORT's forward kernel, so dX rounds exactly as the forward value does
  const keepRate = ratio ? ctx.scalar(1 - ratio[0]!) : ctx.op('Sub', [ctx.scalar(1), ctx.op('Cast', [ratioName], { to: ctx.floatType })]);
  const scaled = ctx.op('Div', [kept, keepRate]);
  return [constantMode ? scaled : ctx.op('Where', [training, scaled, dY])];
}

/** Dropout, training and inference mode. */
export const dropoutRules: GradientRule[] = [{ ops: ['Dropout'], backward: dropoutBackward }];
