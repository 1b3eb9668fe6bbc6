import type { CompilePhase, CompileProgress } from '@anneal/autograd';
import type { ProgressBar, RunIo } from '@anneal/core';

const LABELS: Record<CompilePhase, string> = {
  probe: 'compiling: shape probe',
  backward: 'compiling: backward',
  update: 'compiling: optimizer update',
  session: 'compiling: ONNX Runtime sessions',
};

/** What {@link compileBar} measured: seconds per phase (first report to last) and the backward's node count. */
export interface CompileTimes {
  seconds: number;
  phases: Partial<Record<CompilePhase, number>>;
  backwardNodes?: number;
}

/**
 * The `onProgress` of a train step's compile drawn as one bar per phase on `io` (shape probe,
 * backward node by node, optimizer update, sessions), and the time each phase took. `finish()`
 * stops the bar and returns the times: the command prints them, so a long first epoch is
 * explained before it starts.
 *
 * @example
 * const bar = compileBar(io);
 * const session = await TrainSession.create({ ...options, onProgress: bar.onProgress }).finally(bar.stop);
 * io.err(describeCompile(bar.finish()));
 */
export function compileBar(io: RunIo, now: () => number = () => performance.now()): { onProgress: CompileProgress; stop: () => void; finish: () => CompileTimes } {
  const started = now();
  const times: CompileTimes = { seconds: 0, phases: {} };
  let current: { phase: CompilePhase; bar: ProgressBar | undefined; from: number } | undefined;
  const end = () => {
    if (!current) return;
    current.bar?.stop();
    times.phases[current.phase] = (times.phases[current.phase] ?? 0) + (now() - current.from) / 1000;
    current = undefined;
  };
  return {
    onProgress(phase, done, total) {
      if (current?.phase !== phase) {
        end();
        current = { phase, bar: io.bar?.(LABELS[phase], total, done), from: now() };
      }
      current.bar?.update(done);
      if (phase === 'backward') times.backwardNodes = total;
    },
    stop: end,
    finish() {
      end();
      times.seconds = (now() - started) / 1000;
      return times;
    },
  };
}

/** `train step compiled in 12.4 s (shape probe 0.8 s, backward 6.1 s over 412 nodes, update 0.3 s, sessions 5.2 s)`. */
export function describeCompile(t: CompileTimes): string {
  const part = (phase: CompilePhase, label: string) => (t.phases[phase] === undefined ? undefined : `${label} ${t.phases[phase]!.toFixed(1)} s${phase === 'backward' && t.backwardNodes !== undefined ? ` over ${t.backwardNodes} nodes` : ''}`);
  const parts = [part('probe', 'shape probe'), part('backward', 'backward'), part('update', 'update'), part('session', 'sessions')].filter((p) => p !== undefined);
  return `train step compiled in ${t.seconds.toFixed(1)} s${parts.length ? ` (${parts.join(', ')})` : ''}`;
}
