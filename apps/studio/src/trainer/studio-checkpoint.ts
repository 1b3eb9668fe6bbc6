import { DataType, type TensorValue } from '@anneal/onnx';
import { decodeSafetensors, encodeSafetensors } from '@anneal/runtime';
import type { RunHistory, StudioRun } from './run-config.js';

/** Metadata key holding the studio's part of a checkpoint (JSON). */
const STUDIO_KEY = 'anneal.studio';
const FORMAT = 'anneal-studio/1';
/** Tensors of the feature standardization, stored beside the session state. */
const MEAN = 'studio.feature_mean';
const STD = 'studio.feature_std';

/** What a studio checkpoint says besides the tensors. */
export interface CheckpointMeta {
  run: StudioRun;
  /** Epochs completed. */
  epoch: number;
  /** Optimizer steps taken. */
  step: number;
  history: RunHistory;
  /** The backbone the run was trained on: its name and the sha256 of its bytes. */
  backbone: { name: string; sha256: string };
  /** Fingerprint of the images (see the page's store): a resume needs the same ones. */
  data: string;
}

/** A decoded checkpoint. */
export interface StudioCheckpoint {
  meta: CheckpointMeta;
  /** Session state: parameters, optimizer state (see TrainSession.stateValues). */
  state: Record<string, TensorValue>;
  /** Feature standardization of the head, when the run standardizes. */
  standardize?: { mean: Float32Array; std: Float32Array };
}

/**
 * A checkpoint as safetensors bytes (@anneal/runtime's encoding): the session state, the feature
 * standardization and the run as metadata, with `step` and `optimizer` as TrainSession writes them.
 */
export function encodeCheckpoint(c: StudioCheckpoint): Uint8Array {
  const tensors: Record<string, TensorValue> = { ...c.state };
  if (c.standardize) {
    const d = c.standardize.mean.length;
    tensors[MEAN] = { dataType: DataType.FLOAT, dims: [d], data: c.standardize.mean };
    tensors[STD] = { dataType: DataType.FLOAT, dims: [d], data: c.standardize.std };
  }
  return encodeSafetensors(tensors, { step: String(c.meta.step), optimizer: 'adam', [STUDIO_KEY]: JSON.stringify({ format: FORMAT, ...c.meta }) });
}

/** Reads bytes written by {@link encodeCheckpoint}; throws when they are not a studio checkpoint. */
export function decodeCheckpoint(bytes: Uint8Array): StudioCheckpoint {
  const { tensors, metadata } = decodeSafetensors(bytes, 'checkpoint');
  const raw = metadata[STUDIO_KEY];
  if (!raw) throw new Error(`not an Anneal Studio checkpoint (no '${STUDIO_KEY}' metadata)`);
  const { format, ...meta } = JSON.parse(raw) as CheckpointMeta & { format?: string };
  if (format !== FORMAT) throw new Error(`checkpoint format '${format}' is not '${FORMAT}'`);
  const { [MEAN]: mean, [STD]: std, ...state } = tensors;
  return { meta, state, standardize: mean && std ? { mean: mean.data as Float32Array, std: std.data as Float32Array } : undefined };
}
