export {
  AnnealRuntimeError,
  BackendUnavailableError,
  ModelLoadError,
  SessionRunError,
  UnsupportedDtypeError,
  TensorMismatchError,
  UnknownStateError,
  CheckpointNotFoundError,
  CorruptCheckpointError,
  type BackendFailure,
  type CheckpointCorruption,
} from './errors.js';
export type { Device, RuntimeWarning, DeviceFallbackWarning } from './warnings.js';
export { createSession, type SessionOptions } from './create-session.js';
export { nchwcBlockSize } from './nchwc-block.js';
export { configureWebBackend, type WebBackendOptions } from './backends.js';
export { Session, type Feeds } from './session.js';
export { toOrtTensor, fromOrtTensor, fromOrtTensorAsync, ortTypeOf, dataTypeOf, isTensorValue, type OrtTensor } from './tensor-convert.js';
export { ortExecutor, type OrtExecutor } from './ort-executor.js';
export { StateStore } from './state-store.js';
export { saveCheckpoint, loadCheckpoint, removeCheckpoint } from '#checkpoint-files';
export { encodeSafetensors, decodeSafetensors, type SafetensorsContents } from './safetensors.js';
export { exportInferenceModel, type ExportInferenceOptions } from './export-inference.js';
export { startTypeScriptWorker } from '#typescript-worker';
export { ShardPool, ShardWorkerError, type ShardPoolOptions, type ShardRunResult } from '#shard-pool';
export type { MicroBatch } from './parallel/shard-protocol.js';
export { accumulatePieces, type ReduceTarget } from './parallel/accumulate-pieces.js';
export { axpy, chunkRange, reduceChunk, Barrier } from './parallel/all-reduce.js';
export { sharedLayout, type SharedLayout, type SharedSlot } from './parallel/shared-layout.js';
