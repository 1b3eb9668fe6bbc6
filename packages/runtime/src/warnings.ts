/**
 * Where a session runs: onnxruntime-node on CPU or CUDA, or onnxruntime-web on WebAssembly or, in a
 * browser with `navigator.gpu`, WebGPU (ops without a WebGPU kernel run on its WebAssembly CPU kernels).
 */
export type Device = 'cpu' | 'cuda' | 'wasm' | 'webgpu';

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
