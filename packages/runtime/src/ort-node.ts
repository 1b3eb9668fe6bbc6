import type { OrtBackendModule } from './backends.js';

let nodeModule: Promise<OrtBackendModule> | undefined;

/** onnxruntime-node, imported on first use (its native binding loads at import time). */
export function loadNodeBackend(): Promise<OrtBackendModule> {
  nodeModule ??= import('onnxruntime-node').catch((e: unknown) => {
    nodeModule = undefined;
    throw e;
  });
  return nodeModule;
}
