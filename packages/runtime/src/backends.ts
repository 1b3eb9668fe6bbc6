import type { InferenceSession } from 'onnxruntime-common';

/** The part of an ORT build (node or web) that sessions are created from. */
export interface OrtBackendModule {
  InferenceSession: { create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

let nodeModule: Promise<OrtBackendModule> | undefined;
let webModule: Promise<OrtBackendModule> | undefined;

/** onnxruntime-node, imported on first use (its native binding loads at import time). */
export function loadNodeBackend(): Promise<OrtBackendModule> {
  nodeModule ??= import('onnxruntime-node').catch((e: unknown) => {
    nodeModule = undefined;
    throw e;
  });
  return nodeModule;
}

/** onnxruntime-web (WebAssembly), imported on first use; single-threaded under Node. */
export function loadWebBackend(): Promise<OrtBackendModule> {
  webModule ??= import('onnxruntime-web').then(
    (ort) => {
      // Worker-based wasm threads are for browsers; under Node one thread is the reliable choice.
      if (isNode) ort.env.wasm.numThreads = 1;
      return ort;
    },
    (e: unknown) => {
      webModule = undefined;
      throw e;
    },
  );
  return webModule;
}
