// Messages between the page and the training worker (train-worker.ts). Requests carry an id and
// get one reply; events (progress, batches, epochs, checkpoints, notes) flow from the worker while
// a request runs. Typed arrays travel as transferables.
import type { Device } from '@anneal/runtime';
import type { BatchPoint, EpochPoint, RunHistory, StudioRun } from './trainer/run-config.js';
import type { CheckpointMeta } from './trainer/studio-checkpoint.js';
import type { StudioImages } from './trainer/studio-data.js';
import type { BackboneInfo } from './trainer/studio-trainer.js';

/** What the page asks. */
export type WorkerRequest =
  | { kind: 'init' }
  | { kind: 'inspect'; bytes: Uint8Array; name: string }
  | {
      kind: 'open';
      backbone: { bytes: Uint8Array; name: string };
      run: StudioRun;
      images: StudioImages;
      dataKey: string;
      device: Device;
      /** Checkpoint bytes to continue from. */
      resume?: Uint8Array;
    }
  | { kind: 'train' }
  | { kind: 'predict'; x: Float32Array; count: number }
  | { kind: 'export' };

/** What each request resolves to. */
export interface WorkerReplies {
  init: { crossOriginIsolated: boolean };
  inspect: BackboneInfo;
  open: OpenedRun;
  train: { outcome: 'finished' | 'cancelled' };
  predict: { probabilities: number[][] };
  export: { bytes: Uint8Array };
}

/** A compiled run, as the worker reports it once ready. */
export interface OpenedRun {
  device: Device;
  sizes: { train: number; val: number };
  trainable: { head: number; backbone: number };
  progress: { epoch: number; epochs: number; step: number };
  history: RunHistory;
}

/** Worker -> page, outside replies. */
export type WorkerEvent =
  | { kind: 'progress'; what: string; fraction: number }
  | { kind: 'batch'; point: BatchPoint }
  | { kind: 'epoch'; point: EpochPoint }
  | { kind: 'checkpoint'; bytes: Uint8Array; meta: CheckpointMeta }
  | { kind: 'note'; text: string };

/** The envelope of a request, and of its reply. */
export type RequestMessage = { id: number; request: WorkerRequest } | { id: 0; cancel: true };
export type ReplyMessage = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string } | { id: 0; event: WorkerEvent };
