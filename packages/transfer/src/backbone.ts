import {
  cutModel,
  DataType,
  describeValueInfo,
  encodeModel,
  GraphBuilder,
  inferTensorFacts,
  listFeatureTensors,
  tensorValueInfo,
  type Dim,
  type FeatureTensor,
  type ModelProto,
} from '@anneal/onnx';
import { prepareModel } from '@anneal/engine';
import { TransferError } from './errors.js';
import { createSha256, readBytes } from '#files';

/** How a cut tensor with spatial or sequence axes becomes one vector per example. */
export type FeaturePool = 'auto' | 'avg' | 'max' | 'none';

/** Options of {@link loadBackbone}. */
export interface BackboneOptions {
  /** Tensor to cut at; by default the top-ranked candidate of listFeatureTensors (the penultimate layer). */
  at?: string;
  /**
   * Reduce the cut tensor to [N, C]: `avg`/`max` pool every axis after the channel axis of an
   * [N, C, ...] tensor, or the sequence axis of an [N, T, C] one; `none` keeps it as is; `auto`
   * (default) averages rank-3+ tensors and flattens a tensor of unknown rank.
   */
  pool?: FeaturePool;
  /** Layout of a rank-3 cut tensor: `NTC` (sequence, default: pool axis 1) or `NCT` (pool axis 2). */
  sequenceLayout?: 'NTC' | 'NCT';
  /** Data input; the first non-initializer input by default. */
  input?: string;
}

/** A pre-trained model cut at a feature tensor, ready for feature extraction or a new head. */
export interface Backbone {
  /** Where it came from (file path or '<model>'). */
  origin: string;
  /** The whole prepared model: Constant weights promoted, opset 13+. */
  full: ModelProto;
  /** The backbone graph up to (and including) the pooling of the cut tensor; its one output is `feature`. */
  model: ModelProto;
  /** The data input and its per-example dims (batch axis removed; symbolic dims keep their names). */
  input: { name: string; dims: Dim[]; elemType: DataType };
  /** The tensor the model was cut at. */
  cutAt: string;
  /** Output of the backbone: the feature vector per example. */
  feature: string;
  pool: Exclude<FeaturePool, 'auto'> | 'flatten';
  /** Width of the feature vector when static inference knows it. */
  featureDim?: number;
  /** sha256 of the source model bytes: part of feature-cache keys. */
  hash: string;
  /** Ranked candidate feature tensors of the full model. */
  candidates: FeatureTensor[];
  opset: { from: number; to: number };
  promotedConstants: number;
}

function sha256(bytes: Uint8Array): string {
  return createSha256().update(bytes).digest();
}

function appendPool(model: ModelProto, cutAt: string, rank: number | undefined, options: BackboneOptions): { feature: string; pool: Backbone['pool'] } {
  const requested = options.pool ?? 'auto';
  if (requested === 'none' || (requested === 'auto' && rank === 2)) return { feature: cutAt, pool: 'none' };
  const opset = Number(model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 17);
  const b = new GraphBuilder({ graph: model.graph, opset });
  let feature: string;
  let pool: Backbone['pool'];
  if (rank === undefined && requested === 'auto') {
    feature = b.op('Flatten', [cutAt], { axis: 1 });
    pool = 'flatten';
  } else {
    if (rank === undefined || rank < 3) {
      throw new TransferError('POOL', `cannot ${requested}-pool tensor '${cutAt}': its rank is ${rank ?? 'unknown'} (pooling needs [N, C, ...] or [N, T, C]); use pool: 'none' or 'auto', or cut at another tensor`);
    }
    const reduce = requested === 'max' ? 'ReduceMax' : 'ReduceMean';
    const sequence = rank === 3 && (options.sequenceLayout ?? 'NTC') === 'NTC';
    const axes = sequence ? [1] : Array.from({ length: rank - 2 }, (_, i) => i + 2);
    feature = opset >= 18 ? b.op(reduce, [cutAt, b.ints(axes)], { keepdims: 0 }) : b.op(reduce, [cutAt], { axes, keepdims: 0 });
    pool = requested === 'max' ? 'max' : 'avg';
  }
  return { feature, pool };
}

/**
 * Loads a pre-trained ONNX model as a backbone: promotes Constant-node weights, upgrades opsets
 * below 13, ranks candidate feature tensors, cuts at `at` (or the top candidate) and pools the
 * cut tensor to one vector per example.
 *
 * @throws UnknownTensorError (from @anneal/onnx) naming close tensor names when `at` is not in the graph.
 * @example
 * const backbone = loadBackbone('ch_ppocr_mobile_v2.0_cls_infer.onnx'); // cut at reshape2_0.tmp_0, 200-d
 */
export function loadBackbone(source: string | ModelProto, options: BackboneOptions = {}): Backbone {
  const bytes = typeof source === 'string' ? readBytes(source) : encodeModel(source);
  const prepared = prepareModel(typeof source === 'string' ? source : structuredClone(source));
  const full = prepared.model;
  const inits = new Set(full.graph.initializer.map((t) => t.name));
  const inputInfo = options.input ? full.graph.input.find((i) => i.name === options.input) : full.graph.input.find((i) => !inits.has(i.name));
  if (!inputInfo) {
    const names = full.graph.input.filter((i) => !inits.has(i.name)).map((i) => i.name);
    throw new TransferError('INPUT', `${options.input ? `input '${options.input}' is not a data input of the model` : 'the model has no data input'}; its data inputs are [${names.join(', ')}]`);
  }
  const described = describeValueInfo(inputInfo);
  const candidates = listFeatureTensors(full, { limit: 10 });
  const cutAt = options.at ?? candidates[0]?.name;
  if (!cutAt) throw new TransferError('NO_FEATURE', `no candidate feature tensor found in ${typeof source === 'string' ? source : 'the model'} (no global pooling, flatten or linear layer); name one with \`at\` (anneal inspect lists the tensors)`);
  const model = cutModel(full, cutAt);
  const facts = inferTensorFacts(model.graph);
  const cutDims = facts.get(cutAt)?.dims ?? candidates.find((c) => c.name === cutAt)?.dims;
  const { feature, pool } = appendPool(model, cutAt, cutDims?.length, options);
  const featureDims = pool === 'none' ? cutDims : pool === 'flatten' ? undefined : cutDims && cutDims.length === 3 && (options.sequenceLayout ?? 'NTC') === 'NTC' ? [cutDims[0]!, cutDims[2]!] : cutDims?.slice(0, 2);
  const width = featureDims?.length === 2 && typeof featureDims[1] === 'number' ? featureDims[1] : undefined;
  model.graph.output = [tensorValueInfo(feature, DataType.FLOAT, featureDims ? [featureDims[0] ?? 'N', featureDims[1] ?? '?'] : undefined)];
  return {
    origin: typeof source === 'string' ? source : '<model>',
    full,
    model,
    input: { name: inputInfo.name, dims: (described.dims ?? []).slice(1), elemType: described.elemType },
    cutAt,
    feature,
    pool,
    featureDim: width,
    hash: sha256(bytes),
    candidates,
    opset: prepared.opset,
    promotedConstants: prepared.promoted.length,
  };
}
