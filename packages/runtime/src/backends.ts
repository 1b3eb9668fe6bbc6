import type { InferenceSession } from 'onnxruntime-common';

/** The part of an ORT build (node or web) that sessions are created from. */
export interface OrtBackendModule {
  InferenceSession: { create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

export { loadNodeBackend } from '#ort-node';

let webModule: Promise<OrtBackendModule> | undefined;

/** How onnxruntime-web loads and runs its WebAssembly (see {@link configureWebBackend}). */
export interface WebBackendOptions {
  /** Where the page serves onnxruntime-web's .wasm/.mjs files (its `dist/` folder), e.g. '/ort/'. Default: next to the bundle. */
  wasmPaths?: string;
  /** WebAssembly threads (default 1 under Node; in a page, ORT's default, which needs cross-origin isolation to exceed 1). */
  numThreads?: number;
}

let webOptions: WebBackendOptions = {};

/**
 * Settings of the wasm backend, applied when onnxruntime-web is first imported (call it before
 * the first session with device 'wasm'): what a page bundling Anneal sets to serve ORT's files.
 *
 * @example
 * configureWebBackend({ wasmPaths: '/ort/', numThreads: 1 });
 */
export function configureWebBackend(options: WebBackendOptions): void {
  webOptions = { ...webOptions, ...options };
}

/** onnxruntime-web (WebAssembly), imported on first use; single-threaded under Node. */
export function loadWebBackend(): Promise<OrtBackendModule> {
  webModule ??= import('onnxruntime-web').then(
    (ort) => {
      // Worker-based wasm threads are for browsers; under Node one thread is the reliable choice.
      if (isNode) ort.env.wasm.numThreads = 1;
      if (webOptions.numThreads !== undefined) ort.env.wasm.numThreads = webOptions.numThreads;
      if (webOptions.wasmPaths !== undefined) ort.env.wasm.wasmPaths = webOptions.wasmPaths;
      return ort;
    },
    (e: unknown) => {
      webModule = undefined;
      throw e;
    },
  );
  return webModule;
}
