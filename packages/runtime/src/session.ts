import type { InferenceSession } from 'onnxruntime-common';
import { ReplaySubject, type Observable } from 'rxjs';
import type { TensorValue } from '@anneal/onnx';
import { SessionRunError } from './errors.js';
import { isTensorValue, toOrtTensor, type OrtTensor } from './tensor-convert.js';
import type { Device, RuntimeWarning } from './warnings.js';

/** Feeds of one run: Anneal tensor values (wrapped without copying) or ORT tensors as they are. */
export type Feeds = Record<string, TensorValue | OrtTensor>;

/**
 * One loaded model on one device. Create it with {@link createSession}; call {@link Session.release}
 * when done (native memory is not reclaimed promptly by the garbage collector).
 *
 * @example
 * const session = await createSession(model, { device: 'cpu' });
 * const { y } = await session.run({ x: { dataType: DataType.FLOAT, dims: [1, 4], data } });
 * session.release();
 */
export class Session {
  /** Input names the model expects, in model order. */
  readonly inputNames: readonly string[];
  /** Output names the model produces, in model order. */
  readonly outputNames: readonly string[];
  private readonly warningsSubject = new ReplaySubject<RuntimeWarning>();
  /** Warnings about this session (a device fallback at creation is replayed to late subscribers); completes on release. */
  readonly warnings$: Observable<RuntimeWarning> = this.warningsSubject.asObservable();
  private released = false;
  private readonly inputSet: ReadonlySet<string>;
  private readonly outputSet: ReadonlySet<string>;

  /** @internal Sessions are made by {@link createSession}. */
  constructor(
    private readonly inner: InferenceSession,
    /** The device the session actually runs on (may differ from the requested one after a fallback). */
    readonly device: Device,
    /** The device that was asked for. */
    readonly requestedDevice: Device,
    warnings: readonly RuntimeWarning[] = [],
  ) {
    this.inputNames = [...inner.inputNames];
    this.outputNames = [...inner.outputNames];
    this.inputSet = new Set(this.inputNames);
    this.outputSet = new Set(this.outputNames);
    for (const w of warnings) this.warningsSubject.next(w);
  }

  /**
   * Runs the model once. Returns the requested outputs (all model outputs by default) as ORT
   * tensors, which can be fed to the next run as they are.
   */
  async run(feeds: Feeds, outputs?: readonly string[]): Promise<Record<string, OrtTensor>> {
    if (this.released) throw new SessionRunError(`the session (device '${this.device}') was released; create a new one with createSession.`);
    // names first (so a name mismatch is reported before any conversion error), with Set lookups
    let count = 0;
    for (const name in feeds) {
      if (!Object.hasOwn(feeds, name)) continue;
      if (!this.inputSet.has(name)) this.throwFeedMismatch(feeds);
      count++;
    }
    if (count !== this.inputNames.length) this.throwFeedMismatch(feeds);
    const fetches = outputs ?? this.outputNames;
    for (let i = 0; i < fetches.length; i++) if (!this.outputSet.has(fetches[i]!)) this.throwBadOutputs(fetches);
    const ortFeeds: Record<string, OrtTensor> = {};
    for (const name in feeds) {
      if (!Object.hasOwn(feeds, name)) continue;
      const v = feeds[name]!;
      ortFeeds[name] = isTensorValue(v) ? toOrtTensor(v, name) : v;
    }
    try {
      // ORT only reads the fetch list
      return await this.inner.run(ortFeeds, fetches as string[]);
    } catch (e) {
      throw new SessionRunError(`ONNX Runtime failed to run the model on '${this.device}': ${(e as Error).message}`, { cause: e });
    }
  }

  private throwFeedMismatch(feeds: Feeds): never {
    const missing = this.inputNames.filter((n) => !Object.hasOwn(feeds, n));
    const unknown = Object.keys(feeds).filter((n) => !this.inputSet.has(n));
    throw new SessionRunError(
      `feeds do not match the model inputs: ${missing.length ? `missing [${missing.join(', ')}]` : ''}${missing.length && unknown.length ? '; ' : ''}${
        unknown.length ? `unknown [${unknown.join(', ')}]` : ''
      }. The model expects [${this.inputNames.join(', ')}].`,
    );
  }

  private throwBadOutputs(fetches: readonly string[]): never {
    const bad = fetches.filter((n) => !this.outputSet.has(n));
    throw new SessionRunError(
      `requested outputs [${bad.join(', ')}] are not model outputs; available: [${this.outputNames.join(', ')}]. Add them to graph.output before creating the session.`,
    );
  }

  /** Frees the native session. Further runs throw; `warnings$` completes. Safe to call twice. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.warningsSubject.complete();
    await this.inner.release();
  }
}
