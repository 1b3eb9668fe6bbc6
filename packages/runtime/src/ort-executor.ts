import type { Executor, ModelProto, TensorValue } from '@anneal/onnx';
import { createSession, type SessionOptions } from './create-session.js';
import type { Session } from './session.js';
import { fromOrtTensorAsync } from './tensor-convert.js';

/** An {@link Executor} over ONNX Runtime that keeps one session per model object. */
export interface OrtExecutor extends Executor {
  /** Releases every session this executor still holds. Later runs create new sessions. */
  release(): Promise<void>;
}

/**
 * Runs models through ONNX Runtime. Sessions are cached per model object (a WeakMap), so
 * repeated runs of the same model reuse its session; a model edited in place after its first run
 * keeps the old session, so pass a new object (e.g. `structuredClone(model)`) after surgery.
 *
 * @example
 * const executor = ortExecutor({ device: 'cpu' });
 * const { y } = await executor.run(model, { x });
 * await executor.release();
 */
export function ortExecutor(options: SessionOptions = {}): OrtExecutor {
  let sessions = new WeakMap<ModelProto, Promise<Session>>();
  let live = new Set<WeakRef<Session>>();

  function sessionFor(model: ModelProto): Promise<Session> {
    let pending = sessions.get(model);
    if (!pending) {
      pending = createSession(model, options).then((s) => (live.add(new WeakRef(s)), s));
      // a failed creation is not cached: the next run tries again
      const cache = sessions;
      pending.catch(() => cache.delete(model));
      cache.set(model, pending);
    }
    return pending;
  }

  return {
    async run(model, feeds, outputs) {
      const session = await sessionFor(model);
      const result = await session.run(feeds, outputs);
      const values: Record<string, TensorValue> = {};
      for (const [name, t] of Object.entries(result)) values[name] = await fromOrtTensorAsync(t, name);
      return values;
    },
    async release() {
      const held = [...live].map((r) => r.deref()).filter((s): s is Session => !!s);
      sessions = new WeakMap();
      live = new Set();
      await Promise.all(held.map((s) => s.release()));
    },
  };
}
