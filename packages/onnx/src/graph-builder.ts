import { makeAttribute, type AttrValue } from './attributes.js';
import { tensors } from './tensor.js';
import { DataType, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from './types.js';
import { emptyGraph, makeModel, tensorValueInfo, type Dim } from './value-info.js';

/** Options of one node added with {@link GraphBuilder.node}. */
export interface NodeOptions {
  /** Output count (names are generated) or explicit output names. Default 1. */
  outputs?: number | string[];
  /** Node name; generated from the op type when omitted. */
  name?: string;
  domain?: string;
}

/**
 * Appends nodes, initializers and value infos to a graph with collision-free names.
 * Builders can extend an existing graph (e.g. to add a backward pass to a forward graph).
 *
 * @example
 * const b = new GraphBuilder({ opset: 17 });
 * b.input('x', DataType.FLOAT, ['N', 4]);
 * const w = b.initializer(tensors.float('w', [4, 2], new Float32Array(8)));
 * const y = b.op('MatMul', ['x', w]);
 * b.output(y, DataType.FLOAT, ['N', 2]);
 * const model = b.build();
 */
export class GraphBuilder {
  readonly graph: GraphProto;
  readonly opset: number;
  private readonly used = new Set<string>();
  private readonly constants = new Map<string, string>();
  private counter = 0;
  private readonly prefix: string;

  constructor(options: { graph?: GraphProto; opset?: number; prefix?: string; name?: string } = {}) {
    this.graph = options.graph ?? emptyGraph(options.name);
    this.opset = options.opset ?? 17;
    this.prefix = options.prefix ?? '';
    for (const v of [...this.graph.input, ...this.graph.output, ...this.graph.valueInfo]) this.used.add(v.name);
    for (const t of this.graph.initializer) if (t.name) this.used.add(t.name);
    for (const n of this.graph.node) {
      for (const o of n.output) this.used.add(o);
      for (const i of n.input) this.used.add(i);
      if (n.name) this.used.add(n.name);
    }
  }

  /** A name not used anywhere in the graph yet, derived from `base`. */
  uniqueName(base: string): string {
    const stem = this.prefix + base;
    let name = stem;
    while (this.used.has(name)) name = `${stem}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  /** Whether a name is already taken in the graph. */
  has(name: string): boolean {
    return this.used.has(name);
  }

  /** Appends a node and returns its output names. An empty-string input means "absent optional input". */
  node(opType: string, inputs: readonly string[], attributes: Record<string, AttrValue | undefined> = {}, options: NodeOptions = {}): string[] {
    const name = options.name ?? this.uniqueName(opType);
    this.used.add(name);
    const outputs =
      typeof options.outputs === 'object'
        ? options.outputs.map((o) => (this.used.add(o), o))
        : Array.from({ length: options.outputs ?? 1 }, (_, i) => this.uniqueName(`${name}_out${i}`));
    const node: NodeProto = {
      name,
      opType,
      domain: options.domain,
      input: [...inputs],
      output: outputs,
      attribute: Object.entries(attributes)
        .filter((e): e is [string, AttrValue] => e[1] !== undefined)
        .map(([k, v]) => makeAttribute(k, v)),
      metadataProps: [],
    };
    this.graph.node.push(node);
    return outputs;
  }

  /** Appends a single-output node and returns its output name. */
  op(opType: string, inputs: readonly string[], attributes: Record<string, AttrValue | undefined> = {}, options: Omit<NodeOptions, 'outputs'> & { output?: string } = {}): string {
    return this.node(opType, inputs, attributes, { ...options, outputs: options.output ? [options.output] : 1 })[0]!;
  }

  /** Adds an initializer (renamed if its name is taken) and returns its name. */
  initializer(tensor: TensorProto): string {
    const name = tensor.name && !this.used.has(tensor.name) ? tensor.name : this.uniqueName(tensor.name || 'init');
    this.used.add(name);
    this.graph.initializer.push({ ...tensor, name });
    return name;
  }

  /** A cached float scalar constant (0-d initializer) of the given element type. */
  scalar(value: number, dataType: DataType = DataType.FLOAT): string {
    const key = `s:${dataType}:${Object.is(value, -0) ? '-0' : value}`;
    let name = this.constants.get(key);
    if (!name) {
      const base = `const_${String(value).replace(/[^0-9a-zA-Z]/g, '_')}`;
      const t =
        dataType === DataType.DOUBLE
          ? tensors.double(base, [], [value])
          : dataType === DataType.INT64
            ? tensors.int64(base, [], [value])
            : tensors.float(base, [], [value]);
      name = this.initializer({ ...t, name: this.uniqueName(base) });
      this.constants.set(key, name);
    }
    return name;
  }

  /** A cached 1-D int64 constant (axes, shapes, starts...). */
  ints(values: readonly number[]): string {
    const key = `i:${values.join(',')}`;
    let name = this.constants.get(key);
    if (!name) {
      name = this.initializer(tensors.int64(this.uniqueName(`ints_${values.join('_').replace(/-/g, 'm')}`), [values.length], values));
      this.constants.set(key, name);
    }
    return name;
  }

  /** Declares a graph input. */
  input(name: string, elemType: DataType, dims?: readonly Dim[]): string {
    this.used.add(name);
    this.graph.input.push(tensorValueInfo(name, elemType, dims));
    return name;
  }

  /** Declares a graph output. */
  output(name: string, elemType: DataType = DataType.FLOAT, dims?: readonly Dim[]): string {
    this.graph.output.push(tensorValueInfo(name, elemType, dims));
    return name;
  }

  /** Records the type and shape of an intermediate tensor (graph.value_info). */
  valueInfo(name: string, elemType: DataType, dims?: readonly Dim[]): string {
    this.graph.valueInfo.push(tensorValueInfo(name, elemType, dims));
    return name;
  }

  /** Wraps the graph into a model. */
  build(extraOpsets: { domain: string; version: number }[] = []): ModelProto {
    return makeModel(this.graph, this.opset, extraOpsets);
  }
}
