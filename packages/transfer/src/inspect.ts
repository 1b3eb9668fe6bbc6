import {
  DataType,
  GraphIndex,
  describeValueInfo,
  elementByteSize,
  inferTensorFacts,
  listFeatureTensors,
  loadModel,
  probeTensorDims,
  sizeOf,
  topologicalSort,
  zeroData,
  type Dim,
  type Executor,
  type ModelProto,
  type NodeProto,
  type TensorValue,
  type TypedArray,
} from '@anneal/onnx';
import { defaultGradientRegistry, isFloatType, listParameters, listRunningStatistics, type GradientRegistry } from '@anneal/autograd';
import { prepareModel } from '@anneal/engine';
import { ortExecutor } from '@anneal/runtime';
import { listBlocks } from './blocks.js';
import { fileSize } from '#files';
import { ShapeMismatchError, TransferError } from './errors.js';

export { formatModelReport } from './inspect-format.js';

/** A graph input or output as declared in the model. */
export interface TensorSummary {
  name: string;
  /** ONNX element type name, e.g. 'FLOAT', 'INT64'. */
  elemType: string;
  /** Declared dims: sizes, symbolic names, '?' when unknown. */
  dims: (number | string)[];
}

/** Ops without a gradient rule that sit between a parameter and an output. */
export interface UnsupportedOp {
  op: string;
  /** How many nodes of this op lie on a trainable path. */
  count: number;
  /** Names of the first few of them. */
  nodes: string[];
  /** Parameters upstream of these nodes: freezing all of them makes fine-tuning avoid these nodes. */
  parametersAbove: number;
  /** A feature candidate below every one of these nodes: extract features there and train a new head. */
  featureCut?: string;
}

/** What {@link inspectModel} learns about a model: can it be cut and fine-tuned, and where. */
export interface ModelReport {
  file: string;
  bytes: number;
  irVersion: number;
  producer: string;
  opsets: { domain: string; version: number }[];
  /** Opset after preparation (upgrade to 17 when < 13) and how many Constant-node weights were promoted. */
  prepared: { opset: number; promotedConstants: number };
  inputs: TensorSummary[];
  outputs: TensorSummary[];
  nodes: number;
  /** Op histogram, most frequent first; `gradient`: the registry has a rule for it. */
  ops: { op: string; domain: string; count: number; gradient: boolean }[];
  parameters: { tensors: number; elements: number; bytes: number; largest: { name: string; dims: number[] }[] };
  batchNorms: number;
  /** Ranked feature tensors (closest to the output first); dims probed by a real ORT run when `probeInput` is given or all input dims are static. */
  candidates: { name: string; producer: string; dims?: (number | string)[]; distanceToOutput: number; reasons: string[] }[];
  /** Ops without a gradient rule between some parameter and an output: fine-tuning through them fails, feature extraction works. */
  unsupported: UnsupportedOp[];
  /** Parameter blocks, input side first: the units of `unfreezeTop`, `freezeBelow` and layer-wise lr decay (see listBlocks). */
  blocks: { index: number; name: string; tensors: number; elements: number }[];
}

/** Options of {@link inspectModel}. */
export interface InspectOptions {
  /** Full dims (batch first) of the first data input for the probe run, e.g. [1, 3, 48, 192]. */
  probeInput?: readonly number[];
  /** Most feature candidates listed. Default 10. */
  limit?: number;
  /** Runs the probe; a CPU ONNX Runtime executor (released afterwards) by default. */
  executor?: Executor;
  /** Gradient rules to check coverage against; the default registry by default. */
  registry?: GradientRegistry;
}

type Facts = ReturnType<typeof inferTensorFacts>;

const DEFAULT_DOMAIN = 'ai.onnx';
const NODES_LISTED = 5;
const LARGEST_LISTED = 5;
const domainOf = (d: string | undefined) => (!d || d === DEFAULT_DOMAIN ? DEFAULT_DOMAIN : d);
const nodeLabel = (n: NodeProto, k: number) => n.name || `${n.opType}#${k}`;

/**
 * Reads an ONNX model and reports what a transfer-learning user needs first: inputs and outputs,
 * the op histogram with gradient coverage, parameters, ranked feature tensors to cut at (sized by
 * a real ONNX Runtime run when the input shape is known) and the ops that would block fine-tuning.
 *
 * @example
 * const r = await inspectModel('ch_ppocr_mobile_v2.0_cls_infer.onnx', { probeInput: [1, 3, 48, 192] });
 * r.candidates[0]; // { name: 'reshape2_0.tmp_0', producer: 'Reshape', dims: ['p2o.DynamicDimension.0', 200], ... }
 * r.unsupported;   // [] -> every parameter can be fine-tuned
 */
export async function inspectModel(source: string, options: InspectOptions = {}): Promise<ModelReport> {
  const loaded = loadModel(source);
  const header = {
    file: source,
    bytes: fileSize(source),
    irVersion: Number(loaded.irVersion ?? 0),
    producer: [loaded.producerName, loaded.producerVersion].filter(Boolean).join(' '),
    opsets: loaded.opsetImport.map((o) => ({ domain: domainOf(o.domain), version: Number(o.version) })),
  };
  const prepared = prepareModel(loaded);
  const model = prepared.model;
  const graph = model.graph;
  const registry = options.registry ?? defaultGradientRegistry();
  const initializerNames = new Set(graph.initializer.map((t) => t.name ?? ''));
  const summary = (v: (typeof graph.input)[number]): TensorSummary => {
    const d = describeValueInfo(v);
    return { name: v.name, elemType: DataType[d.elemType] ?? String(d.elemType), dims: d.dims ?? [] };
  };
  const inputs = graph.input.filter((i) => !initializerNames.has(i.name)).map(summary);
  const params = listParameters(model);
  const facts = inferTensorFacts(graph);
  const candidates = await rankCandidates(model, facts, inputs, options, source);
  return {
    ...header,
    prepared: { opset: prepared.opset.to, promotedConstants: prepared.promoted.length },
    inputs,
    outputs: graph.output.map(summary),
    nodes: graph.node.length,
    ops: opHistogram(graph.node, registry),
    parameters: parameterStats(model, params),
    batchNorms: listRunningStatistics(model).length,
    candidates,
    unsupported: unsupportedOps(model, facts, params, registry, candidates.map((c) => c.name)),
    blocks: listBlocks(model, { params }).map((b, index) => ({
      index,
      name: b.name,
      tensors: b.params.length,
      elements: b.params.reduce((sum, p) => sum + (graph.initializer.find((t) => t.name === p)?.dims.reduce((a, d) => a * Number(d), 1) ?? 0), 0),
    })),
  };
}

function opHistogram(nodes: readonly NodeProto[], registry: GradientRegistry): ModelReport['ops'] {
  const counts = new Map<string, { op: string; domain: string; count: number }>();
  for (const n of nodes) {
    const domain = domainOf(n.domain);
    const key = `${domain}::${n.opType}`;
    const entry = counts.get(key) ?? { op: n.opType, domain, count: 0 };
    entry.count++;
    counts.set(key, entry);
  }
  return [...counts.values()]
    .sort((a, b) => b.count - a.count || a.op.localeCompare(b.op))
    .map((e) => ({ ...e, gradient: !!registry.get(e.op, e.domain) }));
}

function parameterStats(model: ModelProto, params: readonly string[]): ModelReport['parameters'] {
  const index = new GraphIndex(model.graph);
  const tensors = params.map((name) => {
    const t = index.initializers.get(name)!;
    const dims = t.dims.map(Number);
    return { name, dims, elements: sizeOf(dims), bytes: sizeOf(dims) * (elementByteSize(t.dataType) ?? 0) };
  });
  const largest = [...tensors].sort((a, b) => b.elements - a.elements).slice(0, LARGEST_LISTED);
  return {
    tensors: tensors.length,
    elements: tensors.reduce((s, t) => s + t.elements, 0),
    bytes: tensors.reduce((s, t) => s + t.bytes, 0),
    largest: largest.map(({ name, dims }) => ({ name, dims })),
  };
}

function zeros(dataType: DataType, n: number): TypedArray | undefined {
  try {
    return dataType === DataType.UNDEFINED ? undefined : zeroData(dataType, n);
  } catch {
    return undefined;
  }
}

/** Zero-filled feeds for every data input: `probeInput` for the first, declared static dims for the rest; undefined when some input cannot be sized. */
function probeFeeds(inputs: readonly TensorSummary[], probeInput: readonly number[] | undefined, file: string): Record<string, TensorValue> | undefined {
  const feeds: Record<string, TensorValue> = {};
  for (const [k, input] of inputs.entries()) {
    const declared = input.dims;
    const where = `input '${input.name}' of ${file}`;
    let dims: number[];
    if (k === 0 && probeInput) {
      if (!probeInput.every((d) => Number.isInteger(d) && d > 0)) {
        throw new ShapeMismatchError(where, declared, [...probeInput], 'Every probe dim must be a positive integer, batch first (e.g. 1x3x224x224).');
      }
      const fits = declared.length === 0 || (declared.length === probeInput.length && declared.every((d, i) => typeof d !== 'number' || d === probeInput[i]));
      if (!fits) throw new ShapeMismatchError(where, declared, [...probeInput], 'Give one size per declared dim, batch first, keeping the fixed sizes.');
      dims = [...probeInput];
    } else if (declared.length > 0 && declared.every((d) => typeof d === 'number' && d > 0)) {
      dims = declared as number[];
    } else if (probeInput) {
      throw new TransferError('INSPECT_PROBE', `${where} has dims [${declared.join(', ')}] that are not all fixed; the probe input shape only sizes the first input ('${inputs[0]!.name}'). Inspect without an input shape to skip the probe.`);
    } else return undefined;
    const elemType = DataType[input.elemType as keyof typeof DataType] ?? DataType.UNDEFINED;
    const data = zeros(elemType, sizeOf(dims));
    if (!data && probeInput) throw new TransferError('INSPECT_PROBE', `${where} has element type ${input.elemType}, which the probe run cannot feed (it has no typed array). Inspect without an input shape to skip the probe.`);
    if (!data) return undefined;
    feeds[input.name] = { dataType: elemType, dims, data };
  }
  return inputs.length > 0 ? feeds : undefined;
}

async function rankCandidates(model: ModelProto, facts: Facts, inputs: readonly TensorSummary[], options: InspectOptions, file: string): Promise<ModelReport['candidates']> {
  const limit = options.limit ?? 10;
  let found = listFeatureTensors(model, { limit });
  const feeds = probeFeeds(inputs, options.probeInput, file);
  const unsized = found.filter((c) => !c.dims || c.dims.includes('?')).map((c) => c.name);
  if (feeds && unsized.length > 0) {
    const own = options.executor ? undefined : ortExecutor({ device: 'cpu' });
    const executor = options.executor ?? own!;
    let probed: Map<string, number[]>;
    try {
      // candidates are float features; ops static inference does not know leave their type open
      const outputTypes = Object.fromEntries(unsized.filter((n) => !facts.get(n)?.elemType).map((n) => [n, { elemType: DataType.FLOAT }]));
      probed = await probeTensorDims(model, unsized, executor, feeds, { outputTypes });
    } catch (e) {
      const shape = Object.values(feeds).map((f) => `[${f.dims.join(', ')}]`).join(', ');
      throw new TransferError('INSPECT_PROBE', `${file}: the probe run with input dims ${shape} failed: ${(e as Error).message}. Check the input shape (batch first) or inspect without one.`);
    } finally {
      await own?.release();
    }
    found = listFeatureTensors(model, { limit, probe: (name) => probed.get(name) });
  }
  return found.map((c) => ({ name: c.name, producer: c.producer, dims: c.dims as Dim[] | undefined, distanceToOutput: c.distanceToOutput, reasons: [...c.reasons] }));
}

/**
 * Nodes `buildBackward` would have to differentiate when every parameter trains and the loss
 * reads the graph outputs, that have no rule: same reachability (float tensors downstream of a
 * parameter), same ancestry (tensors some output depends on) and same skipping of nodes whose
 * outputs receive no gradient. Element types come from static inference; unknown counts as float.
 */
function unsupportedOps(model: ModelProto, facts: Facts, params: readonly string[], registry: GradientRegistry, candidates: readonly string[]): UnsupportedOp[] {
  const graph = model.graph;
  const nodes = topologicalSort(graph);
  const differentiable = (name: string) => {
    const t = facts.get(name)?.elemType;
    return t === undefined || isFloatType(t);
  };
  const reached = new Set<string>(params);
  for (const n of nodes) {
    if (n.input.some((i) => i && reached.has(i) && differentiable(i))) for (const o of n.output) if (o && differentiable(o)) reached.add(o);
  }
  const needed = new Set<string>(graph.output.map((o) => o.name));
  for (const n of [...nodes].reverse()) if (n.output.some((o) => needed.has(o))) for (const i of n.input) if (i) needed.add(i);
  const onPath = nodes.filter((n) => n.input.some((i) => i && reached.has(i)) && n.output.some((o) => needed.has(o) && reached.has(o)));

  const hasGradient = new Set<string>(graph.output.map((o) => o.name).filter((o) => reached.has(o)));
  const blocked = new Map<string, { node: NodeProto; label: string }[]>();
  for (const n of [...onPath].reverse()) {
    if (!n.output.some((o) => hasGradient.has(o))) continue;
    for (const i of n.input) if (i && reached.has(i) && differentiable(i)) hasGradient.add(i);
    if (registry.get(n.opType, n.domain ?? '')) continue;
    const op = domainOf(n.domain) === DEFAULT_DOMAIN ? n.opType : `${n.domain}.${n.opType}`;
    blocked.set(op, [...(blocked.get(op) ?? []), { node: n, label: nodeLabel(n, nodes.indexOf(n)) }]);
  }
  if (blocked.size === 0) return [];

  const index = new GraphIndex(graph);
  const paramSet = new Set(params);
  const ancestorNodes = (tensor: string) => new Set(index.ancestors([tensor]));
  const candidateAncestors = candidates.map((c) => ({ name: c, nodes: ancestorNodes(c) }));
  return [...blocked].map(([op, list]) => {
    const inputs = list.flatMap(({ node }) => node.input.filter(Boolean));
    const above = new Set<string>(inputs.filter((i) => paramSet.has(i)));
    for (const n of index.ancestors(inputs)) for (const i of n.input) if (paramSet.has(i)) above.add(i);
    const cut = candidateAncestors.find((c) => list.every(({ node }) => c.nodes.has(node)));
    const labels = [...list].reverse().map((e) => e.label);
    return { op, count: list.length, nodes: labels.slice(0, NODES_LISTED), parametersAbove: above.size, ...(cut ? { featureCut: cut.name } : {}) };
  });
}
