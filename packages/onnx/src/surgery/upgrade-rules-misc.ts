import { attrs, makeAttribute } from '../attributes.js';
import { crosses, type UpgradeRule } from './upgrade-context.js';

/** Dropout-12: ratio attribute -> input; is_test gone since 7; the mask became bool at 10. */
const dropout: UpgradeRule = {
  ops: ['Dropout'],
  applies: crosses(12),
  rewrite(node, ctx) {
    const ratio = attrs(node).float('ratio', 0.5);
    const x = node.input[0]!;
    const ratioInput = ratio !== 0.5 ? ctx.float(ratio, `${node.output[0] || 'dropout'}_ratio`) : '';
    const rest = { ...ctx.without(node, 'ratio', 'is_test'), input: ratioInput ? [x, ratioInput] : [x] };
    const mask = node.output[1];
    if (!mask || !ctx.isUsed(mask)) {
      ctx.emit({ ...rest, output: [node.output[0]!] });
      return;
    }
    if (ctx.from >= 10) {
      ctx.emit(rest);
      return;
    }
    const boolMask = ctx.names.fresh(`${mask}_bool`);
    ctx.emit({ ...rest, output: [node.output[0]!, boolMask] });
    ctx.add('CastLike', [boolMask, x], {}, mask, `${mask}_cast`);
  },
};

/**
 * BatchNormalization: spatial/is_test/consumed_inputs attributes went away (7, 9). Before 14, a
 * node declaring more than one output ran in training mode (batch statistics; outputs Y, running
 * mean/var, saved mean/var); from 14 that is `training_mode=1` with outputs Y, running mean/var and
 * no saved statistics. Single-output (inference) nodes are kept as they are.
 */
const batchNorm: UpgradeRule = {
  ops: ['BatchNormalization'],
  applies: (from, to) => from < 9 || crosses(14)(from, to),
  rewrite(node, ctx) {
    const a = attrs(node);
    if (a.has('spatial') && a.int('spatial', 1) === 0) ctx.fail(node, 'spatial=0 (per-activation statistics) has no equivalent in opset 9+');
    const rest = ctx.without(node, 'spatial', 'is_test', 'consumed_inputs');
    const declared = node.output.filter((o) => o).length;
    if (declared <= 1 || ctx.to < 14) {
      ctx.emit(rest);
      return;
    }
    const saved = node.output.slice(3).filter((o) => ctx.isUsed(o));
    if (saved.length) ctx.fail(node, `its training outputs ${saved.join(', ')} (saved mean/variance) are used; opset 14+ has no such outputs`);
    const stem = node.output[0] || 'batch_norm';
    const outputs = [node.output[0]!, node.output[1] || ctx.names.fresh(`${stem}_running_mean`), node.output[2] || ctx.names.fresh(`${stem}_running_var`)];
    ctx.emit({ ...rest, output: outputs, attribute: [...rest.attribute, makeAttribute('training_mode', 1)] });
  },
};

/** Scatter was deprecated at 11 in favour of ScatterElements (same inputs and axis). */
const scatter: UpgradeRule = {
  ops: ['Scatter'],
  applies: crosses(11),
  rewrite(node, ctx) {
    ctx.emit({ ...node, opType: 'ScatterElements' });
  },
};

/** RoiAlign-16 added coordinate_transformation_mode defaulting to half_pixel; older models meant output_half_pixel. */
const roiAlign: UpgradeRule = {
  ops: ['RoiAlign'],
  applies: crosses(16),
  rewrite(node, ctx) {
    if (attrs(node).has('coordinate_transformation_mode')) ctx.emit(node);
    else ctx.emit({ ...node, attribute: [...node.attribute, makeAttribute('coordinate_transformation_mode', 'output_half_pixel')] });
  },
};

/** GridSample-20 renamed modes bilinear -> linear and bicubic -> cubic. */
const gridSample: UpgradeRule = {
  ops: ['GridSample'],
  applies: crosses(20),
  rewrite(node, ctx) {
    const mode = attrs(node).string('mode', 'bilinear');
    const renamed = mode === 'bilinear' ? 'linear' : mode === 'bicubic' ? 'cubic' : mode;
    const rest = ctx.without(node, 'mode');
    ctx.emit({ ...rest, attribute: [...rest.attribute, makeAttribute('mode', renamed)] });
  },
};

/** Ops whose meaning changed in ways this module does not rewrite: fail loudly instead of guessing. */
const removedExperimental: UpgradeRule = {
  ops: ['ATen', 'Affine', 'ConstantFill', 'Crop', 'DynamicSlice', 'GRUUnit', 'GivenTensorFill', 'ImageScaler', 'ParametricSoftplus', 'Scale', 'ScaledTanh'],
  applies: (_from, to) => to >= 10,
  rewrite(node, ctx) {
    ctx.fail(node, 'this experimental op was removed from ONNX at opset 10; replace it with standard ops (e.g. Mul/Add for ImageScaler) first');
  },
};

const groupNorm: UpgradeRule = {
  ops: ['GroupNormalization'],
  applies: crosses(21),
  rewrite(node, ctx) {
    ctx.fail(node, 'GroupNormalization-21 takes per-channel scale/bias instead of per-group; upgrade to at most opset 20');
  },
};

const dft: UpgradeRule = {
  ops: ['DFT'],
  applies: crosses(20),
  rewrite(node, ctx) {
    ctx.fail(node, 'DFT-20 moved axis to an input; upgrade to at most opset 19');
  },
};

/** Rules for the remaining ops that changed. */
export const miscRules: readonly UpgradeRule[] = [dropout, batchNorm, scatter, roiAlign, gridSample, removedExperimental, groupNorm, dft];
