import { attrs, makeAttribute } from '../attributes.js';
import { tensors } from '../tensor.js';
import type { AttributeProto, ModelProto, NodeProto } from '../types.js';
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
  const used = new Set<string>([...graph.input.map((v) => v.name), ...graph.initializer.map((t) => t.name ?? ''), ...graph.node.flatMap((n) => [...n.output, n.name ?? ''])]);
  const fresh = (base: string) => {
    let name = base;
    for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
  const ints = new Map<string, string>();
  const constant = (values: number[]) => {
    const key = values.join(',');
    let name = ints.get(key);
    if (!name) {
      name = fresh(`nchwc_shape_${values.join('_').replace(/-/g, 'm')}`);
      graph.initializer.push(tensors.int64(name, [values.length], values));
      ints.set(key, name);
    }
    return name;
  };
  const node = (opType: string, inputs: string[], attributes: AttributeProto[], output: string, domain?: string, name?: string): NodeProto => ({
    name: name ?? fresh(`${output}_${opType}`),
    opType,
    domain,
    input: inputs,
    output: [output],
    attribute: attributes,
    metadataProps: [],
  });
  const lowered: string[] = [];
  const nodes: NodeProto[] = [];
  for (const n of graph.node) {
    const candidate = n.opType === 'Conv' && !n.domain && !constants.has(n.input[1] ?? '');
    const plan = candidate ? depthwisePlan(n, facts) : undefined;
    const dense = candidate && !plan ? densePlan(n, facts) : undefined;
    if (dense) {
      const { out, inp, kh, kw } = dense;
      const op = Math.ceil(out / block) * block;
      const ip = Math.ceil(inp / block) * block;
      const base = n.name || n.output[0]!;
      const xBlocked = fresh(`${base}_x_nchwc`);
      nodes.push(node('ReorderInput', [n.input[0]!], [], xBlocked, NCHWC_DOMAIN));
      let w = n.input[1]!;
      if (op !== out) {
        const padded = fresh(`${base}_w_padded`);
        nodes.push(node('Pad', [w, constant([0, 0, 0, 0, op - out, 0, 0, 0])], [], padded));
        w = padded;
      }
      const r = fresh(`${base}_w_reordered`);
      nodes.push(node('ReorderInput', [w], [], r, NCHWC_DOMAIN));
      const r3 = fresh(`${base}_w_rows`);
      nodes.push(node('Reshape', [r, constant([op / block, block, ip * kh * kw])], [], r3));
      const t = fresh(`${base}_w_t`);
      nodes.push(node('Transpose', [r3], [makeAttribute('perm', [0, 2, 1])], t));
      const wb = fresh(`${base}_w_nchwc`);
      nodes.push(node('Reshape', [t, constant([op, ip, kh, kw])], [], wb));
      const inputs = [xBlocked, wb];
      if (n.input[2]) {
        if (op === out) inputs.push(n.input[2]);
        else {
          const bias = fresh(`${base}_bias_padded`);
          nodes.push(node('Pad', [n.input[2], constant([0, op - out])], [], bias));
          inputs.push(bias);
        }
      }
      const yBlocked = fresh(`${base}_y_nchwc`);
      nodes.push(node('Conv', inputs, n.attribute, yBlocked, NCHWC_DOMAIN, n.name));
      nodes.push(node('ReorderOutput', [yBlocked], [makeAttribute('channels', out)], n.output[0]!, NCHWC_DOMAIN));
      lowered.push(base);
      continue;
    }
    if (!plan) {
      nodes.push(n);
      continue;
    }
    const { channels, kernelWidth, kernelHeight } = plan;
    const padded = Math.ceil(channels / block) * block;
    const base = n.name || n.output[0]!;
    const xBlocked = fresh(`${base}_x_nchwc`);
    nodes.push(node('ReorderInput', [n.input[0]!], [], xBlocked, NCHWC_DOMAIN));
    const wView = fresh(`${base}_w_view`);
    nodes.push(node('Reshape', [n.input[1]!, constant([1, channels, kernelHeight ?? -1, kernelWidth])], [], wView));
    const wReordered = fresh(`${base}_w_reordered`);
    nodes.push(node('ReorderInput', [wView], [], wReordered, NCHWC_DOMAIN));
    const wBlocked = fresh(`${base}_w_nchwc`);
    nodes.push(node('Reshape', [wReordered, constant([padded, 1, kernelHeight ?? -1, kernelWidth])], [], wBlocked));
    const inputs = [xBlocked, wBlocked];
    if (n.input[2]) {
      if (padded === channels) inputs.push(n.input[2]);
      else {
        const bias = fresh(`${base}_bias_padded`);
        nodes.push(node('Pad', [n.input[2], constant([0, padded - channels])], [], bias));
        inputs.push(bias);
      }
    }
    const yBlocked = fresh(`${base}_y_nchwc`);
    const attributes = n.attribute.filter((a) => a.name !== 'group').concat(makeAttribute('group', padded));
    nodes.push(node('Conv', inputs, attributes, yBlocked, NCHWC_DOMAIN, n.name));
    nodes.push(node('ReorderOutput', [yBlocked], [makeAttribute('channels', channels)], n.output[0]!, NCHWC_DOMAIN));
    lowered.push(base);
  }
  graph.node = nodes;
  if (lowered.length > 0 && !model.opsetImport.some((o) => o.domain === NCHWC_DOMAIN)) model.opsetImport.push({ domain: NCHWC_DOMAIN, version: 1 });
  return { lowered };
}

/** Output and input channels and kernel dims of a dense kxk Conv that can be lowered, or undefined. */
function densePlan(n: NodeProto, facts: ReturnType<typeof inferTensorFacts>): { out: number; inp: number; kh: number; kw: number } | undefined {
  const a = attrs(n);
  if (a.int('group', 1) !== 1 || a.string('auto_pad', 'NOTSET') !== 'NOTSET') return undefined;
  const x = facts.get(n.input[0]!)?.dims;
  const w = facts.get(n.input[1]!)?.dims;
  if (!x || !w || x.length !== 4 || w.length !== 4 || !w.every((d) => typeof d === 'number')) return undefined;
  const [out, inp, kh, kw] = w as number[];
  if (x[1] !== inp || inp! % 4 !== 0 || kh! * kw! === 1) return undefined;
  return { out: out!, inp: inp!, kh: kh!, kw: kw! };
}

interface DepthwisePlan {
  channels: number;
  kernelHeight?: number;
  kernelWidth: number;
}

/** The channels and kernel dims of a depthwise Conv that can be lowered, or undefined. */
function depthwisePlan(n: NodeProto, facts: ReturnType<typeof inferTensorFacts>): DepthwisePlan | undefined {
  const a = attrs(n);
  const group = a.int('group', 1);
  const autoPad = a.string('auto_pad', 'NOTSET');
  if (group < 4 || group % 4 !== 0 || autoPad !== 'NOTSET' || n.output.length !== 1) return undefined;
  const x = facts.get(n.input[0]!)?.dims;
  const w = facts.get(n.input[1]!)?.dims;
  if (!x || !w || x.length !== 4 || w.length !== 4) return undefined;
  if (x[1] !== group || w[0] !== group || w[1] !== 1 || typeof w[3] !== 'number') return undefined;
  return { channels: group, kernelHeight: typeof w[2] === 'number' ? w[2] : undefined, kernelWidth: w[3] };
}
