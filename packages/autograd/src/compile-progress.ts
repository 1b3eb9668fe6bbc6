/**
 * Phases of compiling a train step, in the order they run:
 * - `probe`: one forward run on a slice of the sample batch to measure every tensor's shape;
 * - `backward`: the gradient rules, one forward node at a time (`done`/`total` count nodes);
 * - `update`: the loss and optimizer update nodes;
 * - `session`: ONNX Runtime sessions created from the compiled graphs (TrainSession: the step, the
 *   evaluation graph, and the thread-count timing under `intraOpThreads: 'auto'`).
 */
export type CompilePhase = 'probe' | 'backward' | 'update' | 'session';

/**
 * Called while a train step compiles, so a command line can draw a progress bar: each phase is
 * reported with `done = 0` when it starts and `done = total` when it ends, with steps between.
 *
 * @example
 * const onProgress: CompileProgress = (phase, done, total) => process.stderr.write(`\r${phase} ${done}/${total}`);
 * await TrainSession.create({ ...options, onProgress });
 */
export type CompileProgress = (phase: CompilePhase, done: number, total: number) => void;
