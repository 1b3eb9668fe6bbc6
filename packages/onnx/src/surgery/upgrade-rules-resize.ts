import { attrs, makeAttribute } from '../attributes.js';
import { tensorToValue } from '../tensor.js';
import type { NodeProto } from '../types.js';
import { crosses, type UpgradeContext, type UpgradeRule } from './upgrade-context.js';

/**
 * Upsample (all versions) and Resize-10 computed source coordinates as `out / scale`
 * ("asymmetric"); ONNX Runtime picks the nearest pixel by floor when upsampling and by ceil when
 * downsampling. Resize-11+ states both explicitly; this returns the attributes that reproduce it.
 */
function legacyResizeAttributes(node: NodeProto, ctx: UpgradeContext, scales: number[] | undefined, upsampleOnly: boolean) {
  const raw = attrs(node).string('mode', 'nearest');
  const mode = raw === 'bilinear' || raw === 'trilinear' ? 'linear' : raw;
  const attributes = [makeAttribute('mode', mode), makeAttribute('coordinate_transformation_mode', 'asymmetric')];
  if (mode === 'nearest') {
    let nearest = 'floor';
    if (!upsampleOnly) {
      if (!scales) ctx.fail(node, 'nearest Resize-10 with scales computed at run time cannot be converted (floor vs ceil depends on their values); make the scales constant first');
      const up = scales.every((s) => s >= 1);
      const down = scales.every((s) => s <= 1);
      if (!up && !down) ctx.fail(node, `nearest Resize-10 that enlarges some axes and shrinks others (scales ${scales.join(', ')}) has no Resize-11 equivalent`);
      nearest = up ? 'floor' : 'ceil';
    }
    attributes.push(makeAttribute('nearest_mode', nearest));
  }
  return attributes;
}

function scaleValues(name: string, ctx: UpgradeContext): number[] | undefined {
  const t = ctx.constant(name);
  if (!t) return undefined;
  try {
    return Array.from(tensorToValue(t).data as ArrayLike<number>, Number);
  } catch {
    return undefined;
  }
}

/** The `roi` input: absent from opset 13, an empty tensor at 11/12. */
function roi(node: NodeProto, ctx: UpgradeContext): string {
  return ctx.to >= 13 ? '' : ctx.floats([], [0], `${node.output[0] || 'resize'}_roi`);
}

/** Upsample (scales attribute at 7, input at 9; removed at 10) -> Resize. */
const upsample: UpgradeRule = {
  ops: ['Upsample'],
  applies: crosses(10),
  rewrite(node, ctx) {
    const a = attrs(node);
    const stem = node.output[0] || 'upsample';
    const scales = node.input[1] || ctx.floats(a.floats('scales', []), [a.floats('scales', []).length], `${stem}_scales`);
    ctx.emit({
      ...node,
      opType: 'Resize',
      input: [node.input[0]!, roi(node, ctx), scales],
      attribute: legacyResizeAttributes(node, ctx, scaleValues(scales, ctx), true),
    });
  },
};

/** Resize-10 (inputs X, scales) -> Resize-11+ (X, roi, scales) with the old coordinate rules spelled out. */
const resize10: UpgradeRule = {
  ops: ['Resize'],
  applies: crosses(11),
  rewrite(node, ctx) {
    const scales = node.input[1]!;
    ctx.emit({ ...node, input: [node.input[0]!, roi(node, ctx), scales], attribute: legacyResizeAttributes(node, ctx, scaleValues(scales, ctx), false) });
  },
};

/** Rules for resampling ops. */
export const resizeRules: readonly UpgradeRule[] = [upsample, resize10];
