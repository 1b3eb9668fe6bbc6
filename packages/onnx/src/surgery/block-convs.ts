import { attrs, makeAttribute } from '../attributes.js';
import { tensors } from '../tensor.js';
import type { AttributeProto, ModelProto, NodeProto } from '../types.js';
import { graphNames, NameAllocator } from './graph-names.js';
import { inferTensorFacts } from './tensor-facts.js';

/** ONNX Runtime's domain of blocked-layout (NCHWc) CPU kernels (x86-64 builds of onnxruntime-node). */
export const NCHWC_DOMAIN = 'com.microsoft.nchwc';

/** What {@link blockConvs} changed. */
export interface BlockConvsResult {
  /** Names of the Conv nodes now running on ORT's blocked kernels. */
  lowered: string[];
}

/**
 * Lowers 2-D Convs whose weights are computed or fed (a train step's parameters and gradients;
 * constant weights are left to ORT's own NCHWc transformer) to ONNX Runtime's NCHWc kernels:
 * ReorderInput(X) -> com.microsoft.nchwc Conv -> ReorderOutput back to NCHW, channels padded up to
 * the block. Two kinds:
 * - depthwise (group = channels, weight [C, 1, kh, kw]): the weight is blocked by a ReorderInput of
 *   its [1, C, kh, kw] view ([C/block, 1, kh, kw, block], what the kernel reads). MLAS's direct
 *   depthwise kernel beats the im2col path (batch 16, 2 threads, ms: 5x5 on 240 channels at 28x28
 *   7.5 -> 2.8, 3x3 on 144 at 56x56 9.2 -> 6.1), and also serves depthwise weight gradients written
 *   as one Conv with a large kernel (see the Conv gradient rule);
 * - dense kxk (group 1, k > 1): the weight goes to [O/block, I/block, kh, kw, block_in, block_out]
 *   by a ReorderInput (input-channel blocks) and a transpose of each output block's rows. resnet18's
 *   train step (its 3x3 convolutions, forward and input gradients) ran about 5% faster; 1x1
 *   convolutions are left alone (plain ORT runs them as one Gemm, and lowering them was slower).
 * Channel counts must be multiples of 4 (ReorderInput's rule). Only for onnxruntime-node on CPUs whose
 * `nchwcBlockSize()` is defined: other runtimes have no such kernels. Nodes whose shapes are not known
 * well enough (weight dims, input channels, a dynamic kernel width) stay as they are. Edits the
 * model in place and adds the domain's opset import when something was lowered.
 */
export function blockConvs(model: ModelProto, block: number): BlockConvsResult {
  const graph = model.graph;
  const facts = inferTensorFacts(graph);
  const constants = new Set(graph.initializer.map((t) => t.name ?? ''));
  const names = new NameAllocator(graphNames(graph));
  const shapes = new Map<string, string>();
  const constant = (values: number[]) => {
    const key = values.join(',');
    let name = shapes.get(key);
    if (!name) {
      name = names.fresh(`nchwc_shape_${values.join('_').replace(/-/g, 'm')}`);
      graph.initializer.push(tensors.int64(name, [values.length], values));
      shapes.set(key, name);
    }
    return name;
  };
  const nodes: NodeProto[] = [];
  /** Appends a node and returns its output; `output` names it (else a fresh name from `base`). */
  const emit = (opType: string, inputs: string[], base: string, options: { attributes?: AttributeProto[]; domain?: string; output?: string; name?: string } = {}): string => {
    const output = options.output ?? names.fresh(base);
    nodes.push({ name: options.name ?? names.fresh(`${output}_${opType}`), opType, domain: options.domain, input: inputs, output: [output], attribute: options.attributes ?? [], metadataProps: [] });
    return output;
  };
  /** `tensor` with its first axis zero-padded from `size` to `padded` (rank `rank`). */
  const padFirstAxis = (tensor: string, size: number, padded: number, rank: number, base: string) =>
    padded === size ? tensor : emit('Pad', [tensor, constant([0, ...Array(rank - 1).fill(0), padded - size, ...Array(rank - 1).fill(0)])], base);
  const blockedInputs = new Map<string, string>(); // a tensor read by several lowered convs is reordered once
  const lowered: string[] = [];
  for (const n of graph.node) {
    const plan = n.opType === 'Conv' && !n.domain && !constants.has(n.input[1] ?? '') ? convPlan(n, facts) : undefined;
    if (!plan) {
      nodes.push(n);
      continue;
    }
    const base = n.name || n.output[0]!;
    const out = plan.outChannels;
    const outPadded = Math.ceil(out / block) * block;
    let x = blockedInputs.get(n.input[0]!);
    if (!x) blockedInputs.set(n.input[0]!, (x = emit('ReorderInput', [n.input[0]!], `${base}_x_nchwc`, { domain: NCHWC_DOMAIN })));
    let w: string;
    if (plan.kind === 'depthwise') {
      // [C, 1, kh, kw] viewed as one [1, C, kh, kw] image: its ReorderInput is the [C/b, 1, kh, kw, b] order
      const view = emit('Reshape', [n.input[1]!, constant([1, out, plan.kernelHeight ?? -1, plan.kernelWidth])], `${base}_w_view`);
      const reordered = emit('ReorderInput', [view], `${base}_w_reordered`, { domain: NCHWC_DOMAIN });
      w = emit('Reshape', [reordered, constant([outPadded, 1, plan.kernelHeight ?? -1, plan.kernelWidth])], `${base}_w_nchwc`);
    } else {
      // [O, I, kh, kw] -> ReorderInput: [O, I/b, kh, kw, b_in] -> per output block, rows to columns: [O/b, I/b, kh, kw, b_in, b_out]
      const inPadded = Math.ceil(plan.inChannels / block) * block;
      const reordered = emit('ReorderInput', [padFirstAxis(n.input[1]!, out, outPadded, 4, `${base}_w_padded`)], `${base}_w_reordered`, { domain: NCHWC_DOMAIN });
      const rows = emit('Reshape', [reordered, constant([outPadded / block, block, inPadded * plan.kernelHeight! * plan.kernelWidth])], `${base}_w_rows`);
      const columns = emit('Transpose', [rows], `${base}_w_columns`, { attributes: [makeAttribute('perm', [0, 2, 1])] });
      w = emit('Reshape', [columns, constant([outPadded, inPadded, plan.kernelHeight!, plan.kernelWidth])], `${base}_w_nchwc`);
    }
    const inputs = [x, w];
    if (n.input[2]) inputs.push(padFirstAxis(n.input[2], out, outPadded, 1, `${base}_bias_padded`));
    const attributes = plan.kind === 'depthwise' ? n.attribute.filter((a) => a.name !== 'group').concat(makeAttribute('group', outPadded)) : n.attribute;
    const y = emit('Conv', inputs, `${base}_y_nchwc`, { attributes, domain: NCHWC_DOMAIN, name: n.name || undefined });
    emit('ReorderOutput', [y], '', { attributes: [makeAttribute('channels', out)], domain: NCHWC_DOMAIN, output: n.output[0]! });
    lowered.push(base);
  }
  graph.node = nodes;
  if (lowered.length > 0 && !model.opsetImport.some((o) => o.domain === NCHWC_DOMAIN)) model.opsetImport.push({ domain: NCHWC_DOMAIN, version: 1 });
  return { lowered };
}

/** A Conv that can be lowered: a depthwise one (the kernel height may be unknown) or a dense kxk one. */
type ConvPlan =
  | { kind: 'depthwise'; outChannels: number; kernelHeight?: number; kernelWidth: number }
  | { kind: 'dense'; outChannels: number; inChannels: number; kernelHeight: number; kernelWidth: number };

/** How a 2-D Conv can be lowered, or undefined (ReorderInput needs channel counts that 4 divides). */
function convPlan(n: NodeProto, facts: ReturnType<typeof inferTensorFacts>): ConvPlan | undefined {
  const a = attrs(n);
  const group = a.int('group', 1);
  if (a.string('auto_pad', 'NOTSET') !== 'NOTSET' || n.output.length !== 1) return undefined;
  const x = facts.get(n.input[0]!)?.dims;
  const w = facts.get(n.input[1]!)?.dims;
  if (!x || !w || x.length !== 4 || w.length !== 4 || typeof w[0] !== 'number' || typeof w[3] !== 'number') return undefined;
  const [out, perGroup, kh, kw] = w as [number, number | string, number | string, number];
  if (group > 1) {
    if (group % 4 !== 0 || x[1] !== group || out !== group || perGroup !== 1) return undefined;
    return { kind: 'depthwise', outChannels: group, kernelHeight: typeof kh === 'number' ? kh : undefined, kernelWidth: kw };
  }
  if (typeof perGroup !== 'number' || typeof kh !== 'number' || x[1] !== perGroup || perGroup % 4 !== 0 || kh * kw === 1) return undefined;
  return { kind: 'dense', outChannels: out, inChannels: perGroup, kernelHeight: kh, kernelWidth: kw };
}
