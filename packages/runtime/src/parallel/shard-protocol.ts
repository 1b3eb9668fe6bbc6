import type { TensorValue } from '@anneal/onnx';
import type { Device, RuntimeWarning } from '../warnings.js';
import type { SharedLayout } from './shared-layout.js';

/** One micro-batch of a worker's share of a step: its feeds and the weight of its reduced outputs. */
export interface MicroBatch {
  readonly feeds: Readonly<Record<string, TensorValue>>;
  /** Multiplies this micro-batch's reduced outputs before they are summed (e.g. its share of the examples). */
  readonly weight: number;
}

/** What a shard worker is started with (`workerData`). */
export interface ShardWorkerInit {
  readonly entry: string;
  readonly index: number;
  readonly workers: number;
  readonly model: Uint8Array;
  readonly device: Device;
  readonly deviceId: number;
  readonly intraOpThreads: number;
  readonly broadcast: SharedLayout;
  readonly reduce: SharedLayout;
  readonly fetch: readonly string[];
  /** Broadcast tensors (one copy), gradient slots (one copy per worker), the reduced copy, the barrier words. */
  readonly buffers: { broadcast: SharedArrayBuffer; slots: SharedArrayBuffer; reduced: SharedArrayBuffer; control: SharedArrayBuffer };
}

/** Main -> worker: run these micro-batches and take part in the all-reduce. */
export interface StepMessage {
  readonly kind: 'step';
  readonly micro: readonly MicroBatch[];
}

/** Worker -> main. */
export type WorkerReply =
  | { readonly kind: 'ready'; readonly device: Device; readonly warnings: readonly RuntimeWarning[] }
  | { readonly kind: 'done'; readonly outputs: readonly Record<string, TensorValue>[] }
  | { readonly kind: 'failed'; readonly message: string };
