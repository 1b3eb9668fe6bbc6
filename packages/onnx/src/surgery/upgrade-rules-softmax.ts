import { attrs, makeAttribute } from '../attributes.js';
import { crosses, type UpgradeRule } from './upgrade-context.js';

/**
 * Softmax/LogSoftmax/Hardmax-13: before 13 the op flattened its input to 2-D at `axis`
 * (default 1) and normalized over everything from `axis` on; from 13 it normalizes over the
 * single axis `axis` (default -1). When `axis` is the last axis both agree and only the explicit
 * axis is written; otherwise the old meaning is rebuilt as Flatten -> op(axis=1) -> Reshape(Shape(x)).
 */
const softmaxFamily: UpgradeRule = {
  ops: ['Softmax', 'LogSoftmax', 'Hardmax'],
  applies: crosses(13),
  rewrite(node, ctx) {
    const axis = attrs(node).int('axis', 1);
    const x = node.input[0]!;
    const rank = ctx.facts.get(x)?.dims?.length;
    const isLast = axis === -1 || (rank !== undefined && (axis < 0 ? axis + rank : axis) === rank - 1);
    const rest = ctx.without(node, 'axis');
    if (isLast) {
      ctx.emit({ ...rest, attribute: [...rest.attribute, makeAttribute('axis', axis)] });
      return;
    }
    const stem = node.output[0] || node.opType;
    const flat = ctx.add('Flatten', [x], { axis }, undefined, `${stem}_flatten`);
    const normalized = ctx.names.fresh(`${stem}_2d`);
    ctx.emit({ ...rest, input: [flat], output: [normalized], attribute: [...rest.attribute, makeAttribute('axis', 1)] });
    const shape = ctx.add('Shape', [x], {}, undefined, `${stem}_shape`);
    ctx.add('Reshape', [normalized, shape], {}, node.output[0]!, `${stem}_reshape`);
  },
};

/** Rules for the softmax family. */
export const softmaxRules: readonly UpgradeRule[] = [softmaxFamily];
