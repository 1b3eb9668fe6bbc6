/**
 * Shared-memory collectives for data-parallel workers: a reusable barrier over an Int32Array and
 * a reduce-scatter where worker w sums its own chunk of every worker's gradient slot into the
 * shared result (so the result is complete, for everyone, once all workers pass the barrier).
 */

/** The [start, end) range of a buffer of `total` elements that worker `index` of `workers` reduces. */
export function chunkRange(total: number, workers: number, index: number): [number, number] {
  const base = Math.floor(total / workers);
  const extra = total % workers;
  const start = index * base + Math.min(index, extra);
  return [start, start + base + (index < extra ? 1 : 0)];
}

/**
 * Sums `slots` (one row of `total` floats per worker, row-major) over the workers into
 * `reduced`, for the elements of worker `index`'s chunk only.
 *
 * @example
 * reduceChunk(slots, reduced, 4, 1, 2); // reduced[2..4) = slots[2..4) + slots[6..8)
 */
export function reduceChunk(slots: Float32Array, reduced: Float32Array, total: number, index: number, workers: number): void {
  const [start, end] = chunkRange(total, workers, index);
  const out = reduced.subarray(start, end);
  out.set(slots.subarray(start, end));
  for (let w = 1; w < workers; w++) axpy(out, slots.subarray(w * total + start, w * total + end), 1);
}

/**
 * `target += weight * source`, element by element over `target`'s length. A small function of
 * its own so V8 optimizes the loop once for every caller (the same loop inlined into a bigger
 * async function ran ~6x slower).
 *
 * @example
 * axpy(accumulated, gradient, 0.25);
 */
export function axpy(target: Float32Array, source: Float32Array, weight: number): void {
  const n = target.length;
  for (let i = 0; i < n; i++) target[i] += weight * source[i]!;
}

/** Words of the control block a {@link Barrier} uses. */
export const BARRIER_WORDS = 2;

/**
 * A generation-counting barrier for `parties` threads over two Int32 words of shared memory
 * (arrival count, generation). Reusable: the last arrival resets the count and bumps the
 * generation, which wakes the others. Blocks with `Atomics.wait`, so only workers may call it.
 *
 * @example
 * const barrier = new Barrier(new Int32Array(sab, 0, BARRIER_WORDS), workers);
 * barrier.arrive(); // returns when every worker has arrived
 */
export class Barrier {
  constructor(
    private readonly words: Int32Array,
    private readonly parties: number,
  ) {}

  arrive(): void {
    const generation = Atomics.load(this.words, 1);
    if (Atomics.add(this.words, 0, 1) === this.parties - 1) {
      Atomics.store(this.words, 0, 0);
      Atomics.add(this.words, 1, 1);
      Atomics.notify(this.words, 1);
      return;
    }
    while (Atomics.load(this.words, 1) === generation) Atomics.wait(this.words, 1, generation);
  }
}
