/** Base class of autograd errors; `code` is stable for programs to match. */
export class AutogradError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * No gradient rule exists for an op that lies between a trainable tensor and the loss.
 * `path` lists the tensors and nodes from the trainable tensor to the loss through that node.
 */
export class UnsupportedGradientError extends AutogradError {
  constructor(
    readonly opType: string,
    readonly nodeName: string,
    readonly path: readonly string[],
  ) {
    super(
      'UNSUPPORTED_GRADIENT',
      `no gradient rule for op ${opType} (node '${nodeName}'), which lies on the path ${path.join(' -> ')}. ` +
        `Freeze the tensors upstream of this node (train only what comes after it), cut the model after it, ` +
        `or register a GradientRule for '${opType}'.`,
    );
  }
}

/** The backward pass was asked for something it cannot do (unknown tensor, missing shape, bad loss). */
export class BackwardError extends AutogradError {
  constructor(message: string) {
    super('BACKWARD', message);
  }
}
