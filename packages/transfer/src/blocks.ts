import { listParameters } from '@anneal/autograd';
import { topologicalSort, type ModelProto } from '@anneal/onnx';

/** A unit of depth for freezing and layer-wise learning rates: parameters that belong together. */
export interface Block {
  /** `layer2.1` (by name prefix) or the producing layer's first parameter stem (by layer). */
  name: string;
  params: string[];
  /** Position of the block's first consuming node in topological order (input side = small). */
  depth: number;
}

/** How {@link listBlocks} groups parameters. */
export interface BlockOptions {
  /**
   * `prefix`: by the first `prefixDepth` dot-separated parts of parameter names (torch exports:
   * `layer2.1.conv1.weight` -> `layer2.1`); `layer`: each weight layer (Conv, Gemm, MatMul,
   * ConvTranspose) with the normalization and bias parameters that follow it (exports without
   * hierarchical names, e.g. Paddle's `conv2d_12.w_0`); `auto` (default): `prefix` when most
   * parameter names have 3+ parts, else `layer`.
   */
  by?: 'auto' | 'prefix' | 'layer';
  /** Parts of the name that make a block under `prefix` (default 2). */
  prefixDepth?: number;
  /** Parameters to group (default: every trainable parameter of the model). */
  params?: readonly string[];
}

const WEIGHT_LAYERS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Einsum']);

function firstUse(model: ModelProto): Map<string, { index: number; op: string; inputIndex: number }> {
  const nodes = topologicalSort(model.graph);
  const uses = new Map<string, { index: number; op: string; inputIndex: number }>();
  nodes.forEach((n, index) => n.input.forEach((name, inputIndex) => {
    if (name && !uses.has(name)) uses.set(name, { index, op: n.opType, inputIndex });
  }));
  return uses;
}

function byPrefix(params: readonly string[], depth: number, use: ReturnType<typeof firstUse>): Block[] {
  const blocks = new Map<string, Block>();
  for (const p of params) {
    const parts = p.split('.');
    const name = parts.slice(0, Math.min(depth, Math.max(1, parts.length - 1))).join('.');
    const at = use.get(p)?.index ?? Number.MAX_SAFE_INTEGER;
    const block = blocks.get(name);
    if (block) {
      block.params.push(p);
      block.depth = Math.min(block.depth, at);
    } else blocks.set(name, { name, params: [p], depth: at });
  }
  return [...blocks.values()];
}

function byLayer(params: readonly string[], use: ReturnType<typeof firstUse>): Block[] {
  const ordered = [...params].sort((a, b) => (use.get(a)?.index ?? 0) - (use.get(b)?.index ?? 0));
  const blocks: Block[] = [];
  for (const p of ordered) {
    const u = use.get(p);
    const startsLayer = !blocks.length || (u !== undefined && WEIGHT_LAYERS.has(u.op) && u.inputIndex === 1);
    if (startsLayer) blocks.push({ name: p.replace(/\.(w|weight|kernel)(_\d+)?$/, ''), params: [p], depth: u?.index ?? 0 });
    else blocks[blocks.length - 1]!.params.push(p);
  }
  return blocks;
}

/**
 * The model's parameters grouped into blocks, ordered from the input side to the output side;
 * "freeze everything below block k" and layer-wise learning-rate decay count in these blocks.
 *
 * @example
 * listBlocks(resnet).map((b) => b.name); // ['conv1', 'bn1', 'layer1.0', 'layer1.1', ..., 'fc']
 */
export function listBlocks(model: ModelProto, options: BlockOptions = {}): Block[] {
  const params = options.params ?? listParameters(model);
  const use = firstUse(model);
  const dotted = params.filter((p) => p.split('.').length >= 3).length;
  const by = options.by === undefined || options.by === 'auto' ? (dotted * 2 > params.length ? 'prefix' : 'layer') : options.by;
  const blocks = by === 'prefix' ? byPrefix(params, options.prefixDepth ?? 2, use) : byLayer(params, use);
  return blocks.sort((a, b) => a.depth - b.depth);
}
