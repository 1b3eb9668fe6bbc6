import type { InferenceSession } from 'onnxruntime-common';
import { encodeModel, type ModelProto } from '@anneal/onnx';
import { loadNodeBackend, loadWebBackend, type OrtBackendModule } from './backends.js';
import { BackendUnavailableError, ModelLoadError, type BackendFailure } from './errors.js';
import { Session } from './session.js';
import type { Device, RuntimeWarning } from './warnings.js';

/** Options of {@link createSession}. */
export interface SessionOptions {
  /** Where to run. Default 'cpu'. 'cuda' falls back to 'cpu', 'cpu' and 'webgpu' to 'wasm', with a warning. */
  device?: Device;
  /** GPU ordinal for 'cuda'. Default 0. */
  deviceId?: number;
  /** Intra-op threads for onnxruntime-node. Default 2. (The wasm backend runs one thread under Node.) */
  intraOpThreads?: number;
  /** ORT graph optimization level. Default ORT's ('all'). */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'layout' | 'all';
  /**
   * ORT's memory pattern: one block planned from the first run for all intermediate tensors. Off by
   * default: for train steps (activations held for the backward pass) it more than doubled peak
   * memory (ViT-tiny batch 16: 3.9 GB vs 1.4 GB without) and did not run measurably faster, since
   * the CPU arena already recycles buffers between runs.
   */
  memoryPattern?: boolean;
  /** Called for each non-fatal problem, e.g. a device fallback. */
  onWarning?: (warning: RuntimeWarning) => void;
}

interface Attempt {
  device: Device;
  load: () => Promise<OrtBackendModule>;
  options: InferenceSession.SessionOptions;
}

function attemptsFor(device: Device, options: SessionOptions): Attempt[] {
  const common: InferenceSession.SessionOptions = { enableMemPattern: options.memoryPattern ?? false, ...(options.graphOptimizationLevel ? { graphOptimizationLevel: options.graphOptimizationLevel } : {}) };
  const nodeCommon: InferenceSession.SessionOptions = { ...common, intraOpNumThreads: options.intraOpThreads ?? 2 };
  const cpu: Attempt = { device: 'cpu', load: loadNodeBackend, options: { ...nodeCommon, executionProviders: ['cpu'] } };
  const wasm: Attempt = { device: 'wasm', load: loadWebBackend, options: { ...common, executionProviders: ['wasm'] } };
  switch (device) {
    case 'cuda':
      return [
        { device: 'cuda', load: loadNodeBackend, options: { ...nodeCommon, executionProviders: [{ name: 'cuda', deviceId: options.deviceId ?? 0 }, 'cpu'] } },
        cpu,
        wasm,
      ];
    case 'cpu':
      return [cpu, wasm];
    case 'wasm':
      return [wasm];
    case 'webgpu':
      return [{ device: 'webgpu', load: loadWebBackend, options: { ...common, executionProviders: ['webgpu'] } }, wasm];
  }
}

/** Devices whose session creation fails when their provider is missing (then the next device is tried). */
const ACCELERATORS: ReadonlySet<string> = new Set(['cuda', 'webgpu']);

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Creates an ONNX Runtime session for a model on the requested device, falling back down the
 * chain cuda -> cpu -> wasm (or webgpu -> wasm) when a device is unavailable. A fallback is reported as a
 * `device-fallback` warning (to `onWarning` and the session's `warnings$`); if every device
 * fails, a {@link BackendUnavailableError} lists each failure. A CPU or wasm runtime that loads
 * but refuses the model throws {@link ModelLoadError} at once (no other backend is tried).
 *
 * Note: with onnxruntime-node 1.30 built without the CUDA provider library, asking for CUDA
 * throws ("Failed to load shared library") instead of falling back inside ORT; this function
 * catches that and retries on CPU.
 *
 * @example
 * const session = await createSession(model, { device: 'cuda', onWarning: (w) => console.warn(w) });
 * session.device; // 'cpu' on a machine without CUDA
 */
export async function createSession(model: ModelProto | Uint8Array, options: SessionOptions = {}): Promise<Session> {
  const requested = options.device ?? 'cpu';
  const bytes = model instanceof Uint8Array ? model : encodeModel(model);
  const failures: BackendFailure[] = [];
  for (const attempt of attemptsFor(requested, options)) {
    let ort: OrtBackendModule;
    try {
      ort = await attempt.load();
    } catch (e) {
      failures.push({ device: attempt.device, reason: describe(e) });
      continue;
    }
    let inner: InferenceSession;
    try {
      inner = await ort.InferenceSession.create(bytes, attempt.options);
    } catch (e) {
      failures.push({ device: attempt.device, reason: describe(e) });
      // an accelerator's failure is usually its provider (library, adapter): fall back; a loaded CPU/wasm runtime refusing the model means the model is the problem
      if (ACCELERATORS.has(attempt.device)) continue;
      throw new ModelLoadError(attempt.device, describe(e), failures);
    }
    const warnings: RuntimeWarning[] = [];
    if (attempt.device !== requested) {
      warnings.push({
        kind: 'device-fallback',
        requested,
        used: attempt.device,
        reason: failures.map((f) => `${f.device}: ${f.reason}`).join('; '),
      });
    }
    for (const w of warnings) options.onWarning?.(w);
    return new Session(inner, attempt.device, requested, warnings);
  }
  throw new BackendUnavailableError(requested, failures);
}
