import type { ModelProto } from '@anneal/onnx';
import { createSession, type Feeds, type SessionOptions } from '@anneal/runtime';

/** What {@link fastestThreadCount} measured. */
export interface ThreadTuning {
  threads: number;
  /** Median milliseconds per run by thread count. */
  medians: Record<number, number>;
}

/**
 * Times a graph with each candidate intra-op thread count and returns the fastest. Small graphs
 * (a linear head, a narrow MLP) often run faster on one thread than on two, because splitting
 * their tiny kernels costs more in thread-pool handoffs than it saves; large ones the other way.
 * Like cuDNN's benchmark mode, it costs a few runs once, when a session is created.
 *
 * @example const { threads } = await fastestThreadCount(stepGraph, feeds, { device: 'cpu' }, [1, 2]);
 */
export async function fastestThreadCount(model: ModelProto, feeds: Feeds, options: SessionOptions, candidates: readonly number[], runs = 9): Promise<ThreadTuning> {
  const medians: Record<number, number> = {};
  for (const threads of candidates) {
    const session = await createSession(model, { ...options, intraOpThreads: threads, onWarning: undefined });
    try {
      for (let i = 0; i < 3; i++) await session.run(feeds);
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        await session.run(feeds);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      medians[threads] = times[Math.floor(times.length / 2)]!;
    } finally {
      await session.release();
    }
  }
  const threads = candidates.reduce((best, t) => (medians[t]! < medians[best]! ? t : best), candidates[0]!);
  return { threads, medians };
}
