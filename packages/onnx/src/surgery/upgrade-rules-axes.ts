import { attrs, makeAttribute } from '../attributes.js';
import type { NodeProto } from '../types.js';
import { crosses, type UpgradeContext, type UpgradeRule } from './upgrade-context.js';

/** Inputs with trailing absent ('') entries removed. */
function trimInputs(inputs: string[]): string[] {
  const out = [...inputs];
  while (out.length && !out[out.length - 1]) out.pop();
  return out;
}

const base = (node: NodeProto, what: string) => `${node.output[0] || node.opType}_${what}`;

/** Clip-11: min/max move from float attributes to optional inputs of the input's type. */
const clip: UpgradeRule = {
  ops: ['Clip'],
  applies: crosses(11),
  rewrite(node, ctx) {
    const a = attrs(node);
    const x = node.input[0]!;
    const min = a.has('min') ? ctx.scalarLike(a.float('min', 0), x, base(node, 'min')) : '';
    const max = a.has('max') ? ctx.scalarLike(a.float('max', 0), x, base(node, 'max')) : '';
    ctx.emit({ ...ctx.without(node, 'min', 'max'), input: trimInputs([x, min, max]) });
  },
};

/** Slice-10: starts/ends/axes move from attributes to int64 inputs. */
const slice: UpgradeRule = {
  ops: ['Slice'],
  applies: crosses(10),
  rewrite(node, ctx) {
    const a = attrs(node);
    if (!a.has('starts') || !a.has('ends')) ctx.fail(node, 'Slice before opset 10 needs starts and ends attributes');
    const starts = ctx.ints(a.ints('starts', []), base(node, 'starts'));
    const ends = ctx.ints(a.ints('ends', []), base(node, 'ends'));
    const axes = a.has('axes') ? ctx.ints(a.ints('axes', []), base(node, 'axes')) : '';
    ctx.emit({ ...ctx.without(node, 'starts', 'ends', 'axes'), input: trimInputs([node.input[0]!, starts, ends, axes]) });
  },
};

/** Moves an `axes` attribute to the second input (absent attribute: no input, i.e. "all axes"). */
function axesToInput(node: NodeProto, ctx: UpgradeContext): void {
  const a = attrs(node);
  if (!a.has('axes')) {
    if (node.opType === 'Unsqueeze') ctx.fail(node, 'Unsqueeze has no axes attribute');
    ctx.emit(node);
    return;
  }
  const axes = ctx.ints(a.ints('axes', []), base(node, 'axes'));
  ctx.emit({ ...ctx.without(node, 'axes'), input: [node.input[0]!, axes] });
}

/** Squeeze-13, Unsqueeze-13, ReduceSum-13: axes attribute -> input. */
const axes13: UpgradeRule = { ops: ['Squeeze', 'Unsqueeze', 'ReduceSum'], applies: crosses(13), rewrite: axesToInput };

/** The other reductions take axes as an input from opset 18. */
const axes18: UpgradeRule = {
  ops: ['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'],
  applies: crosses(18),
  rewrite: axesToInput,
};

/** Pad-11: pads and the constant value move from attributes to inputs. */
const pad: UpgradeRule = {
  ops: ['Pad'],
  applies: crosses(11),
  rewrite(node, ctx) {
    const a = attrs(node);
    if (!a.has('pads')) ctx.fail(node, 'Pad before opset 11 needs a pads attribute');
    const x = node.input[0]!;
    const pads = ctx.ints(a.ints('pads', []), base(node, 'pads'));
    const value = a.float('value', 0);
    const mode = a.string('mode', 'constant');
    const constant = mode === 'constant' && value !== 0 ? ctx.scalarLike(value, x, base(node, 'value')) : '';
    ctx.emit({ ...ctx.without(node, 'pads', 'value'), input: trimInputs([x, pads, constant]) });
  },
};

/** Split-13: `split` attribute -> input; Split-18 wants num_outputs when no sizes are given. */
const split: UpgradeRule = {
  ops: ['Split'],
  applies: (from, to) => crosses(13)(from, to) || crosses(18)(from, to),
  rewrite(node, ctx) {
    const a = attrs(node);
    let out = node;
    if (ctx.from < 13 && a.has('split')) {
      out = { ...ctx.without(node, 'split'), input: [node.input[0]!, ctx.ints(a.ints('split', []), base(node, 'split'))] };
    }
    if (ctx.crosses(18) && !out.input[1] && !attrs(out).has('num_outputs')) {
      out = { ...out, attribute: [...out.attribute, makeAttribute('num_outputs', node.output.length)] };
    }
    ctx.emit(out);
  },
};

/** TopK-10: k attribute -> K input (int64 [1]). */
const topK: UpgradeRule = {
  ops: ['TopK'],
  applies: crosses(10),
  rewrite(node, ctx) {
    const k = ctx.ints([attrs(node).int('k', 0)], base(node, 'k'));
    ctx.emit({ ...ctx.without(node, 'k'), input: [node.input[0]!, k] });
  },
};

/** Rules that move attributes to inputs. */
export const axesRules: readonly UpgradeRule[] = [clip, slice, axes13, axes18, pad, split, topK];
