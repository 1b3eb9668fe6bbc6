// The browser twin of ort-node.ts (package.json "imports" #ort-node, browser condition): a page
// has no onnxruntime-node, so the 'cpu' and 'cuda' devices report why and 'wasm' is the one that runs.
import type { OrtBackendModule } from './backends.js';

export function loadNodeBackend(): Promise<OrtBackendModule> {
  return Promise.reject(new Error("onnxruntime-node does not run in a browser; create sessions with device 'wasm' (onnxruntime-web)"));
}
