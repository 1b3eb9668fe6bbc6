import type { TensorValue } from '@anneal/onnx';
import type { JsonValue } from './callback.js';
import type { EventOf } from './events.js';
import { CheckpointStateError, TrainerError } from './errors.js';
import { checkTrainerState } from './trainer-state-check.js';

/** Metadata key holding the Trainer's JSON state in a checkpoint. */
export const TRAINER_STATE_KEY = 'anneal.trainer';
const CALLBACK_PREFIX = 'callback/';

/** Everything besides the backend's tensors that a resumed run needs to continue identically. */
export interface TrainerState {
  /** 2 since epochs are numbered from 1 in events (version 1 files held 0-based histories). */
  version: 2;
  /** Epochs completed (the 0-based index of the epoch to continue) and the next batch in it. */
  epoch: number;
  batch: number;
  /** Batches consumed so far (the schedule position). */
  step: number;
  /** Optimizer updates applied (differs from `step` when batches were skipped). */
  backendSteps: number;
  finished: boolean;
  stopReason?: string;
  /** Accumulators of the epoch in progress. */
  trainLoss: [number, number, number, number | null, number | null];
  trainMetrics: Record<string, number[]>;
  epochStartedSkips: number;
  schedules: (JsonValue | null)[];
  callbacks: Record<string, JsonValue>;
  history: EventOf<'epoch:end'>[];
  /**
   * What the data looked like when the checkpoint was written: `batchesPerEpoch` and whatever the
   * run adds (`TrainerOptions.checkpoint.data`: batch size, examples). A resume with other values
   * is refused. Absent in files written before it was recorded.
   */
  data?: Record<string, number>;
}

/** Tensors and metadata of a checkpoint file from backend state, callback tensors and the Trainer state. */
export function encodeCheckpoint(backend: Record<string, TensorValue>, callbackTensors: Record<string, Record<string, TensorValue>>, state: TrainerState): { tensors: Record<string, TensorValue>; metadata: Record<string, string> } {
  const tensors: Record<string, TensorValue> = { ...backend };
  for (const [key, named] of Object.entries(callbackTensors)) for (const [name, t] of Object.entries(named)) tensors[`${CALLBACK_PREFIX}${key}/${name}`] = t;
  return { tensors, metadata: { [TRAINER_STATE_KEY]: JSON.stringify(state), step: String(state.backendSteps) } };
}

/** Splits a checkpoint back into backend tensors, per-callback tensors and the Trainer state. */
export function decodeCheckpoint(path: string, tensors: Record<string, TensorValue>, metadata: Record<string, string>): { backend: Record<string, TensorValue>; callbacks: Record<string, Record<string, TensorValue>>; state: TrainerState } {
  const raw = metadata[TRAINER_STATE_KEY];
  if (!raw) throw new TrainerError(path, `is not a Trainer checkpoint (no '${TRAINER_STATE_KEY}' metadata); resume from a run directory's checkpoint, or load plain weights instead`);
  let state: TrainerState;
  try {
    state = JSON.parse(raw) as TrainerState;
  } catch (e) {
    throw new CheckpointStateError(path, `has unreadable Trainer state (${(e as Error).message}); the file is damaged`);
  }
  const version = (state as { version?: unknown } | null)?.version;
  if (version === 1) throw new TrainerError(path, 'was written by Anneal 0.1, whose checkpoints number epochs from 0; finish the run with Anneal 0.1, or start it again');
  if (version !== 2) throw new CheckpointStateError(path, `has Trainer state version ${String(version)}; this Anneal reads version 2`);
  checkTrainerState(state, path);
  const backend: Record<string, TensorValue> = {};
  const callbacks: Record<string, Record<string, TensorValue>> = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (!name.startsWith(CALLBACK_PREFIX)) {
      backend[name] = t;
      continue;
    }
    const rest = name.slice(CALLBACK_PREFIX.length);
    const slash = rest.indexOf('/');
    const key = rest.slice(0, slash);
    (callbacks[key] ??= {})[rest.slice(slash + 1)] = t;
  }
  return { backend, callbacks, state };
}
