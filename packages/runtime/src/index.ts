export {
  AnnealRuntimeError,
  BackendUnavailableError,
  SessionRunError,
  UnsupportedDtypeError,
  TensorMismatchError,
  UnknownStateError,
  CheckpointNotFoundError,
  CorruptCheckpointError,
  type BackendFailure,
  type CheckpointCorruption,
} from './errors';
export type { Device, RuntimeWarning, DeviceFallbackWarning } from './warnings';
export { createSession, type SessionOptions } from './create-session';
export { Session, type Feeds } from './session';
export { toOrtTensor, fromOrtTensor, fromOrtTensorAsync, ortTypeOf, dataTypeOf, isTensorValue, type OrtTensor } from './tensor-convert';
export { ortExecutor, type OrtExecutor } from './ort-executor';
export { StateStore } from './state-store';
export { saveCheckpoint, loadCheckpoint } from './checkpoint';
export { encodeSafetensors, decodeSafetensors, type SafetensorsContents } from './safetensors';
export { exportInferenceModel, type ExportInferenceOptions } from './export-inference';
export { startTypeScriptWorker } from './parallel/typescript-worker';
export { ShardPool, ShardWorkerError, type ShardPoolOptions, type ShardRunResult } from './parallel/shard-pool';
export type { MicroBatch } from './parallel/shard-protocol';
export { accumulatePieces, type ReduceTarget } from './parallel/accumulate-pieces';
export { axpy, chunkRange, reduceChunk, Barrier } from './parallel/all-reduce';
export { sharedLayout, type SharedLayout, type SharedSlot } from './parallel/shared-layout';
