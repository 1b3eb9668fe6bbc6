import type { ReplyMessage, RequestMessage, WorkerEvent, WorkerReplies, WorkerRequest } from './protocol.js';

/** The page's side of the training worker: typed requests answered by promises, and a stream of events. */
export class WorkerClient {
  private readonly worker: Worker;
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly onEvent: (event: WorkerEvent) => void) {
    this.worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module', name: 'anneal-studio-training' });
    this.worker.onmessage = (e: MessageEvent<ReplyMessage>) => {
      const m = e.data;
      if ('event' in m) return this.onEvent(m.event);
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.ok) p?.resolve(m.value);
      else p?.reject(new Error(m.error));
    };
    this.worker.onerror = (e) => {
      const error = new Error(`the training worker failed: ${e.message || 'it could not start'}`);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
  }

  /** Sends a request; resolves with its reply (typed arrays in `transfer` move to the worker). */
  request<K extends WorkerRequest['kind']>(request: Extract<WorkerRequest, { kind: K }>, transfer: Transferable[] = []): Promise<WorkerReplies[K]> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, request } satisfies RequestMessage, transfer);
    });
  }

  /** Asks a running `train` request to stop after its current batch. */
  cancel(): void {
    this.worker.postMessage({ id: 0, cancel: true } satisfies RequestMessage);
  }
}
