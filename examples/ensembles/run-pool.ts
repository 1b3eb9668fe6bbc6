// Runs tasks at most `parallel` at a time in this process (each training run uses one ORT thread).

/** Runs `tasks` at most `parallel` at a time; results come back in task order. */
export async function inPool<T>(tasks: readonly (() => Promise<T>)[], parallel: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, tasks.length) }, worker));
  return results;
}
