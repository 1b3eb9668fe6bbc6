import { makeAttribute, type AttrValue } from '../attributes.js';
import { UnsupportedOpError } from '../errors.js';
import { tensors } from '../tensor.js';
import { DataType, type GraphProto, type NodeProto, type TensorProto } from '../types.js';
import { constantTensors } from './constant-values.js';
import { nodeLabel, type NameAllocator } from './graph-names.js';
import type { TensorFact } from './tensor-facts.js';

/**
 * What an opset-upgrade rule sees while rewriting one graph: the versions involved, what is
 * known about tensors, and helpers to emit replacement nodes and constants.
 */
export class UpgradeContext {
  /** The rewritten node list, in order. */
  readonly nodes: NodeProto[] = [];
  private readonly constants: Map<string, TensorProto>;
  private readonly used = new Set<string>();

  constructor(
    readonly graph: GraphProto,
    readonly from: number,
    readonly to: number,
    readonly names: NameAllocator,
    readonly facts: ReadonlyMap<string, TensorFact>,
  ) {
    this.constants = constantTensors(graph);
    for (const o of graph.output) this.used.add(o.name);
    for (const n of graph.node) for (const i of n.input) this.used.add(i);
  }

  /** Whether the upgrade passes version `v` (the op changed there): from < v <= to. */
  crosses(v: number): boolean {
    return this.from < v && this.to >= v;
  }

  /** Whether a tensor is read by any node or is a graph output. */
  isUsed(name: string): boolean {
    return !!name && this.used.has(name);
  }

  /** The fixed value of a tensor when it is an initializer or a Constant output. */
  constant(name: string): TensorProto | undefined {
    return this.constants.get(name);
  }

  /** Keeps or adds a node. */
  emit(node: NodeProto): void {
    this.nodes.push(node);
  }

  /** Adds a new node with a fresh name and output (unless `output` is given); returns the output. */
  add(opType: string, inputs: string[], attributes: Record<string, AttrValue | undefined> = {}, output?: string, base = opType): string {
    const out = output ?? this.names.fresh(`${base}_out`);
    this.emit({
      name: this.names.fresh(base),
      opType,
      input: inputs,
      output: [out],
      attribute: Object.entries(attributes)
        .filter((e): e is [string, AttrValue] => e[1] !== undefined)
        .map(([k, v]) => makeAttribute(k, v)),
      metadataProps: [],
    });
    return out;
  }

  /** A new 1-D int64 initializer holding `values`. */
  ints(values: readonly number[], base: string): string {
    const name = this.names.fresh(base);
    this.graph.initializer.push(tensors.int64(name, [values.length], values));
    return name;
  }

  /** A scalar of the element type of tensor `like` (a CastLike node when that type is not known to be float/double). */
  scalarLike(value: number, like: string, base: string): string {
    const type = this.facts.get(like)?.elemType;
    const name = this.names.fresh(base);
    if (type === DataType.DOUBLE) {
      this.graph.initializer.push(tensors.double(name, [], [value]));
      return name;
    }
    this.graph.initializer.push(tensors.float(name, [], [value]));
    if (type === DataType.FLOAT) return name;
    return this.add('CastLike', [name, like], {}, undefined, `${base}_cast`);
  }

  /** A new float32 initializer of the given dims. */
  floats(values: readonly number[], dims: readonly number[], base: string): string {
    const name = this.names.fresh(base);
    this.graph.initializer.push(tensors.float(name, [...dims], values));
    return name;
  }

  /** A float32 scalar initializer. */
  float(value: number, base: string): string {
    const name = this.names.fresh(base);
    this.graph.initializer.push(tensors.float(name, [], [value]));
    return name;
  }

  /** The node with the listed attributes removed (a copy). */
  without(node: NodeProto, ...names: string[]): NodeProto {
    return { ...node, attribute: node.attribute.filter((a) => !names.includes(a.name)) };
  }

  /** Throws the typed error for a node this upgrade cannot convert. */
  fail(node: NodeProto, detail: string): never {
    throw new UnsupportedOpError(node.opType, nodeLabel(node), `${detail} (upgrading opset ${this.from} -> ${this.to})`);
  }
}

/** An opset-upgrade rule: rewrites every node of `ops` whose semantics change between two versions. */
export interface UpgradeRule {
  readonly ops: readonly string[];
  /** Whether the rule has anything to do for an upgrade `from` -> `to`. */
  applies(from: number, to: number): boolean;
  /** Emits the replacement of `node` through `ctx` (ctx.emit for the edited node itself). */
  rewrite(node: NodeProto, ctx: UpgradeContext): void;
}

/** Whether an upgrade from -> to passes version v. */
export const crosses = (v: number) => (from: number, to: number) => from < v && to >= v;
