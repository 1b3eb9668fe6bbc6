import { listParameters } from '@anneal/autograd';
import type { ModelProto } from '@anneal/onnx';
import type { ParamGroup } from '@anneal/optim';
import { listBlocks, type Block, type BlockOptions } from './blocks.js';
import { FreezeError } from './errors.js';

/** What to train in a backbone + head model. The head is always trained unless a pattern freezes it. */
export interface FreezeOptions {
  /** Parameter-name prefix of the head (default 'head.'). */
  headPrefix?: string;
  /** Train only the top n backbone blocks (0 = head only, the linear-probe setting). */
  unfreezeTop?: number;
  /** Freeze backbone blocks 0..k-1 ("everything below block k"). */
  freezeBelow?: number;
  /** Regular expressions: matching parameters are frozen. */
  freeze?: readonly string[];
  /** Regular expressions: matching parameters are trained, whatever the other rules say. */
  train?: readonly string[];
  blocks?: BlockOptions;
}

/** A block of the backbone and whether it is trained. */
export interface BlockState extends Block {
  trainable: boolean;
  /** Index from the input side (0 = lowest block). */
  index: number;
}

/** The outcome of {@link selectTrainable}. */
export interface TrainableSelection {
  trainable: string[];
  frozen: string[];
  head: string[];
  /** Backbone blocks, input side first. */
  blocks: BlockState[];
}

function compile(patterns: readonly string[] | undefined, what: string): RegExp[] {
  return (patterns ?? []).map((p, i) => {
    try {
      return new RegExp(p);
    } catch (e) {
      throw new FreezeError(`${what}[${i}]: /${p}/ is not a regular expression (${(e as Error).message})`);
    }
  });
}

function checkMatches(res: RegExp[], params: readonly string[], what: string): void {
  res.forEach((re, i) => {
    if (!params.some((p) => re.test(p))) throw new FreezeError(`${what}[${i}]: /${re.source}/ matches no parameter; parameters look like: ${params.slice(0, 8).join(', ')}${params.length > 8 ? ', ...' : ''}`);
  });
}

/**
 * Decides which parameters of a backbone + head model are trained: by depth (`unfreezeTop`,
 * `freezeBelow`, counted in {@link listBlocks} blocks) and by name pattern (`freeze`, `train`).
 *
 * @throws FreezeError when a depth exceeds the block count or a pattern matches nothing.
 * @example
 * const { trainable } = selectTrainable(model, { unfreezeTop: 2 }); // head + top two blocks
 */
export function selectTrainable(model: ModelProto, options: FreezeOptions = {}): TrainableSelection {
  const all = listParameters(model);
  const prefix = options.headPrefix ?? 'head.';
  const head = all.filter((p) => p.startsWith(prefix));
  const backbone = all.filter((p) => !p.startsWith(prefix));
  const blocks = listBlocks(model, { ...options.blocks, params: backbone });
  const n = blocks.length;
  const check = (v: number | undefined, name: string) => {
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > n)) throw new FreezeError(`${name} is ${v} but the backbone has ${n} blocks (0..${n}); \`anneal inspect\` or listBlocks(model) lists them`);
  };
  check(options.unfreezeTop, 'unfreezeTop');
  check(options.freezeBelow, 'freezeBelow');
  const lowest = Math.max(options.unfreezeTop !== undefined ? n - options.unfreezeTop : 0, options.freezeBelow ?? 0);
  const freezeRes = compile(options.freeze, 'freeze');
  const trainRes = compile(options.train, 'train');
  checkMatches(freezeRes, all, 'freeze');
  checkMatches(trainRes, all, 'train');
  const trained = new Set<string>(head);
  blocks.forEach((b, i) => {
    if (i >= lowest) for (const p of b.params) trained.add(p);
  });
  for (const p of all) if (freezeRes.some((re) => re.test(p))) trained.delete(p);
  for (const p of all) if (trainRes.some((re) => re.test(p))) trained.add(p);
  return {
    trainable: all.filter((p) => trained.has(p)),
    frozen: all.filter((p) => !trained.has(p)),
    head,
    blocks: blocks.map((b, index) => ({ ...b, index, trainable: b.params.some((p) => trained.has(p)) })),
  };
}

/**
 * Layer-wise learning-rate decay (discriminative learning rates): the head gets the base lr,
 * the top trained block `decay` times it, the next `decay²`, and so on down. One optimizer
 * parameter group per trained block (`block_<index>`) plus `head`; groups use `lrScale`, so
 * schedules on the base lr move every group together.
 *
 * @example
 * const groups = layerDecayGroups(selection, 0.5); // head 1x, top block 0.5x, next 0.25x, ...
 */
export function layerDecayGroups(selection: TrainableSelection, decay: number, options: { weightDecay?: number } = {}): ParamGroup[] {
  if (!(decay > 0 && decay <= 1)) throw new FreezeError(`layer decay must be in (0, 1], got ${decay}`);
  const trained = new Set(selection.trainable);
  const groups: ParamGroup[] = [];
  const headParams = selection.head.filter((p) => trained.has(p));
  if (headParams.length) groups.push({ name: 'head', params: headParams, lrScale: 1, weightDecay: options.weightDecay });
  const active = selection.blocks.filter((b) => b.params.some((p) => trained.has(p)));
  active.forEach((b, k) => {
    const fromTop = active.length - k;
    groups.push({ name: `block_${b.index}`, params: b.params.filter((p) => trained.has(p)), lrScale: decay ** fromTop, weightDecay: options.weightDecay });
  });
  return groups;
}
