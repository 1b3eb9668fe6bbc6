/** A training session was misconfigured or training diverged. */
export class EngineError extends Error {
  readonly code = 'ENGINE';
  constructor(message: string) {
    super(message);
    this.name = 'EngineError';
  }
}
