/** Base class of every error Anneal's ONNX toolkit throws; `code` is stable for programs to match. */
export class OnnxError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The bytes are not a decodable ONNX ModelProto. */
export class MalformedModelError extends OnnxError {
  constructor(
    readonly source: string,
    detail: string,
    hint = 'Check that the file is an .onnx ModelProto (not a checkpoint, a zip or a truncated download).',
  ) {
    super('MALFORMED_MODEL', `${source} is not a valid ONNX model: ${detail}. ${hint}`);
  }
}

/** A tensor, node or value was asked for by a name the graph does not have. */
export class UnknownTensorError extends OnnxError {
  constructor(
    readonly tensor: string,
    where: string,
    hint = '',
    /** Existing tensor names that look like the one asked for (closest first). */
    readonly candidates: readonly string[] = [],
  ) {
    super('UNKNOWN_TENSOR', `tensor '${tensor}' does not exist in ${where}.${hint ? ' ' + hint : ''}`);
  }
}

/** An external-data reference is missing, unreadable or points outside the model's folder. */
export class ExternalDataError extends OnnxError {
  constructor(
    readonly tensor: string,
    readonly location: string,
    detail: string,
  ) {
    super('EXTERNAL_DATA', `external data of tensor '${tensor}' at '${location}': ${detail}`);
  }
}

/** A model uses an op (or op version) a transformation cannot handle. */
export class UnsupportedOpError extends OnnxError {
  constructor(
    readonly opType: string,
    readonly nodeName: string,
    detail: string,
  ) {
    super('UNSUPPORTED_OP', `op ${opType} (node '${nodeName}'): ${detail}`);
  }
}

/** Two models cannot be combined because they import different versions of the same operator domain. */
export class OpsetMismatchError extends OnnxError {
  constructor(
    readonly domain: string,
    readonly versions: readonly [number, number],
    detail: string,
  ) {
    super(
      'OPSET_MISMATCH',
      `domain '${domain || 'ai.onnx'}' is imported at version ${versions[0]} by one model and ${versions[1]} by the other: ${detail}`,
    );
  }
}

/** A folder could not be created (a parent is a file, not writable, or a file system that refuses new folders, like /proc). */
export class FolderError extends OnnxError {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super('FOLDER', `cannot create the folder '${path}': ${detail}; choose a path in a writable folder`);
  }
}

/**
 * A tensor's declared dims or data type do not match its data: negative or non-integer dims, an
 * element count past what a tensor can hold, or raw/typed data shorter or longer than the dims
 * say. `source` names the file when the tensor came from one.
 */
export class InvalidTensorError extends OnnxError {
  constructor(
    readonly source: string | undefined,
    readonly tensor: string,
    readonly detail: string,
  ) {
    super(
      'INVALID_TENSOR',
      `${source ? `${source}: ` : ''}tensor '${tensor}' ${detail}. The file is damaged or was edited by hand; re-export the model (its weights are never zero-padded or cut to fit).`,
    );
  }
}
