/** Base class of every error `@anneal/runtime` throws; `code` is stable for programs to match. */
export class AnnealRuntimeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One failed attempt to create a session on a device. */
export interface BackendFailure {
  device: string;
  reason: string;
}

/**
 * No backend could create a session. Every attempt (device and reason) is listed, so a CUDA
 * driver problem is not hidden behind the CPU error that followed it.
 */
export class BackendUnavailableError extends AnnealRuntimeError {
  constructor(
    readonly requested: string,
    readonly failures: readonly BackendFailure[],
  ) {
    super(
      'BACKEND_UNAVAILABLE',
      `could not create an ONNX Runtime session (requested device '${requested}'); every backend failed:\n` +
        failures.map((f) => `  - ${f.device}: ${f.reason}`).join('\n') +
        `\nIf all backends report the same model error, the model itself is invalid (check it with onnx.checker); ` +
        `otherwise install the missing runtime (onnxruntime-node / onnxruntime-web) or request another device.`,
    );
  }
}

/**
 * ONNX Runtime is installed and loaded, but refused the model itself (bytes that are not an ONNX
 * model, an operator or opset it does not implement, a type error inside the graph). Trying
 * other backends would not help, so none is tried; `reason` is what ORT said.
 */
export class ModelLoadError extends AnnealRuntimeError {
  constructor(
    readonly device: string,
    readonly reason: string,
    /** Earlier attempts (a CUDA provider that could not load) and this one. */
    readonly failures: readonly BackendFailure[],
  ) {
    super(
      'MODEL_LOAD',
      `ONNX Runtime could not load the model (on '${device}'): ${reason}\n` +
        (failures.length > 1 ? `earlier attempts: ${failures.slice(0, -1).map((f) => `${f.device}: ${f.reason}`).join('; ')}\n` : '') +
        `The runtime itself works, so the model is the problem: a file that is not a valid ONNX model, an operator or opset this ONNX Runtime does not implement, or a type mismatch in the graph. Check it with onnx.checker.check_model, or export it again.`,
    );
  }
}

/** A run was asked for with missing/unknown feeds, unknown outputs, or ORT rejected it. */
export class SessionRunError extends AnnealRuntimeError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super('SESSION_RUN', detail, options);
  }
}

/** A tensor element type has no mapping in the operation asked for (ORT tensor or checkpoint). */
export class UnsupportedDtypeError extends AnnealRuntimeError {
  constructor(
    readonly dtype: string,
    where: string,
    supported: readonly string[],
  ) {
    super('UNSUPPORTED_DTYPE', `element type ${dtype} of ${where} is not supported; supported types: ${supported.join(', ')}. Cast the tensor first.`);
  }
}

/** A tensor's data does not match its declared type or shape. */
export class TensorMismatchError extends AnnealRuntimeError {
  constructor(detail: string) {
    super('TENSOR_MISMATCH', detail);
  }
}

/** A state name or output name used with a {@link StateStore} does not exist. */
export class UnknownStateError extends AnnealRuntimeError {
  constructor(detail: string) {
    super('UNKNOWN_STATE', detail);
  }
}

/** A checkpoint file does not exist or cannot be read. */
export class CheckpointNotFoundError extends AnnealRuntimeError {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super('CHECKPOINT_NOT_FOUND', `cannot read checkpoint '${path}': ${detail}. Check the path (checkpoints are .safetensors files written by saveCheckpoint).`);
  }
}

/** Why a checkpoint file was rejected. */
export type CheckpointCorruption = 'truncated' | 'bad-header' | 'offsets-out-of-range';

/** A checkpoint file exists but is not a valid safetensors file. */
export class CorruptCheckpointError extends AnnealRuntimeError {
  constructor(
    readonly path: string,
    readonly reason: CheckpointCorruption,
    detail: string,
  ) {
    super(
      'CHECKPOINT_CORRUPT',
      `checkpoint '${path}' is corrupt (${reason}): ${detail}. Restore it from an earlier checkpoint; files written by saveCheckpoint are replaced atomically, so a partial file means it was copied or edited by something else.`,
    );
  }
}
