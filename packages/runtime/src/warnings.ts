/** Where a session runs: onnxruntime-node on CPU or CUDA, or onnxruntime-web's WebAssembly backend. */
export type Device = 'cpu' | 'cuda' | 'wasm';

/** The requested device could not be used; the session runs on `used` instead. */
export interface DeviceFallbackWarning {
  kind: 'device-fallback';
  requested: Device;
  used: Device;
  /** What failed on each device tried before `used` (ORT's own message included). */
  reason: string;
}

/** Non-fatal conditions a runtime reports through `onWarning` and `Session.warnings$`. */
export type RuntimeWarning = DeviceFallbackWarning;
