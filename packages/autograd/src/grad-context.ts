import { attrs, tensorToNumbers, DataType, type GraphBuilder, type NodeProto, type AttrValue } from '@anneal/onnx';
import { BackwardError } from './errors.js';
import type { ShapeInfo, ShapeMap } from './shapes.js';

/** Facts about the runtime a backward graph is compiled for (see {@link BackwardOptions.hints}). */
export interface GradHints {
  /**
   * Depthwise Convs will run on ONNX Runtime's direct blocked kernels (blockConvs, on
   * onnxruntime-node CPUs with NCHWc kernels): a depthwise weight gradient is then fastest as one
   * depthwise Conv with a large kernel, which is slow on the im2col path.
   */
  directDepthwise?: boolean;
}

/**
 * What a gradient rule sees for one forward node: its inputs/outputs, the incoming output
 * gradients, which inputs need a gradient, probed shapes, and helpers that emit standard ops
 * at the graph's opset. Rules append nodes through `b` and return one gradient name (or
 * undefined) per node input.
 */
export class GradContext {
  readonly attr: ReturnType<typeof attrs>;

  constructor(
    readonly b: GraphBuilder,
    readonly node: NodeProto,
    /** Gradient of each node output; undefined where none flows back. */
    readonly dY: readonly (string | undefined)[],
    private readonly needed: readonly boolean[],
    private readonly shapes: ShapeMap,
    /** Element type of the gradients (FLOAT, or DOUBLE in double-precision checks). */
    readonly floatType: DataType,
    /** What the graph will run on, for rules whose fastest recipe depends on it. */
    readonly hints: GradHints = {},
  ) {
    this.attr = attrs(node);
  }

  get opset(): number {
    return this.b.opset;
  }

  /** Name of input i ('' when the optional input is absent). */
  x(i = 0): string {
    return this.node.input[i] ?? '';
  }

  /** Name of output i. */
  y(i = 0): string {
    return this.node.output[i] ?? '';
  }

  /** Whether input i needs a gradient. */
  needs(i: number): boolean {
    return this.needed[i] === true;
  }

  /** The gradient of output i; throws when none flows (rules of single-output ops can rely on output 0). */
  dy(i = 0): string {
    const g = this.dY[i];
    if (!g) throw new BackwardError(`internal: no gradient reached output ${i} of node '${this.node.name}'`);
    return g;
  }

  /** Probed shape of a forward tensor. */
  shape(name: string): ShapeInfo {
    const s = this.shapes.get(name);
    if (!s) throw new BackwardError(`no probed shape for tensor '${name}' (node '${this.node.name}', op ${this.node.opType}); probe the forward graph with a sample batch first`);
    return s;
  }

  /** Values of a constant int/float tensor (initializer or Constant node output), or undefined when not constant. */
  constantValue(name: string): number[] | undefined {
    if (!name) return undefined;
    const init = this.b.graph.initializer.find((t) => t.name === name);
    if (init) return tensorToNumbers(init);
    const producer = this.b.graph.node.find((n) => n.opType === 'Constant' && n.output[0] === name);
    const t = producer?.attribute.find((a) => a.name === 'value')?.t;
    if (t) return tensorToNumbers(t);
    const ints = producer?.attribute.find((a) => a.name === 'value_ints');
    return ints ? ints.ints : undefined;
  }

  /** Normalizes possibly negative axes against a rank. */
  normalizeAxes(axes: readonly number[], rank: number): number[] {
    return axes.map((a) => (a < 0 ? a + rank : a)).sort((p, q) => p - q);
  }

  /** Rank of a forward tensor. */
  rank(name: string): number {
    return this.shape(name).dims.length;
  }

  /**
   * Ensures the forward node produces output i (e.g. Dropout's mask, MaxPool's Indices,
   * LayerNormalization's Mean/InvStdDev) and returns its name. The forward node is edited in place.
   */
  ensureOutput(i: number, base = 'aux'): string {
    while (this.node.output.length <= i) this.node.output.push('');
    if (!this.node.output[i]) this.node.output[i] = this.b.uniqueName(`${this.node.name || this.node.opType}_${base}`);
    return this.node.output[i]!;
  }

  /** Appends a single-output node, named after the forward op it differentiates (readable profiles: `grad_HardSwish_Mul_12`). */
  op(opType: string, inputs: readonly string[], attributes: Record<string, AttrValue | undefined> = {}): string {
    return this.b.op(opType, inputs, attributes, { name: this.b.uniqueName(`grad_${this.node.opType}_${opType}`) });
  }

  /** A scalar constant in the gradient's float type. */
  scalar(value: number): string {
    return this.b.scalar(value, this.floatType);
  }

  /** A 1-D int64 constant. */
  ints(values: readonly number[]): string {
    return this.b.ints(values);
  }

  /** Shape(x) as an int64 tensor. */
  shapeOf(x: string): string {
    return this.op('Shape', [x]);
  }

  /** ReduceSum over axes (opset 13+: axes as an input). */
  reduceSum(x: string, axes: readonly number[], keepdims = true): string {
    if (axes.length === 0) return x;
    return this.op('ReduceSum', [x, this.ints(axes)], { keepdims: keepdims ? 1 : 0 });
  }

  /** ReduceMean over axes (axes attribute before opset 18, input from 18). */
  reduceMean(x: string, axes: readonly number[], keepdims = true): string {
    if (axes.length === 0) return x;
    return this.opset >= 18
      ? this.op('ReduceMean', [x, this.ints(axes)], { keepdims: keepdims ? 1 : 0 })
      : this.op('ReduceMean', [x], { axes: [...axes], keepdims: keepdims ? 1 : 0 });
  }

  /** Unsqueeze (axes as an input, opset 13+). */
  unsqueeze(x: string, axes: readonly number[]): string {
    return this.op('Unsqueeze', [x, this.ints(axes)]);
  }

  /** Squeeze (axes as an input, opset 13+). */
  squeeze(x: string, axes: readonly number[]): string {
    return this.op('Squeeze', [x, this.ints(axes)]);
  }

  /** Reshape g to the runtime shape of x. */
  reshapeLike(g: string, x: string): string {
    return this.op('Reshape', [g, this.shapeOf(x)]);
  }

  /** Zeros with x's runtime shape, in the gradient float type. */
  zerosLike(x: string): string {
    return this.op('Expand', [this.scalar(0), this.shapeOf(x)]);
  }

  /**
   * Sums a gradient g (shaped like the broadcast result) back to the shape of input x:
   * over leading axes x lacks and over axes where x has size 1 (a no-op where the result had 1 too).
   */
  unbroadcast(g: string, x: string, resultRank?: number): string {
    const xDims = this.shape(x).dims;
    const rank = resultRank ?? Math.max(xDims.length, this.gradRank());
    const lead = rank - xDims.length;
    const ones: number[] = [];
    xDims.forEach((d, i) => {
      if (d === 1) ones.push(lead + i);
    });
    // size-1 axes keep their place (keepdims=1); leading axes x lacks are dropped (keepdims=0)
    const kept = this.reduceSum(g, ones, true);
    return this.reduceSum(kept, Array.from({ length: lead }, (_, i) => i), false);
  }

  private gradRank(): number {
    return this.shape(this.y(0)).dims.length;
  }
}
