// The training worker: compiles and runs the train step off the page's main thread, on
// onnxruntime-web (WebGPU when asked for and available, else wasm), through StudioTrainer.
import { configureWebBackend } from '@anneal/runtime';
import type { ReplyMessage, RequestMessage, WorkerEvent, WorkerReplies, WorkerRequest } from './protocol.js';
import { decodeCheckpoint } from './trainer/studio-checkpoint.js';
import { openBackbone, StudioTrainer } from './trainer/studio-trainer.js';

/** The parts of a dedicated worker's global scope used here (the project's types are DOM's, not WebWorker's). */
const scope = self as unknown as {
  postMessage(message: ReplyMessage, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent<RequestMessage>) => void) | null;
  crossOriginIsolated: boolean;
};

let trainer: StudioTrainer | undefined;
let cancelled = false;

const post = (message: ReplyMessage, transfer: Transferable[] = []) => scope.postMessage(message, transfer);
const emit = (event: WorkerEvent, transfer: Transferable[] = []) => post({ id: 0, event }, transfer);

/** Lets queued messages (a cancel) run between two train steps: a macrotask turn, without timer clamping. */
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

function requireTrainer(): StudioTrainer {
  if (!trainer) throw new Error('no run is open; train first');
  return trainer;
}

async function handle(request: WorkerRequest): Promise<[WorkerReplies[keyof WorkerReplies], Transferable[]]> {
  switch (request.kind) {
    case 'init':
      // one wasm thread: more need a cross-origin isolated page, and ORT's worker threads would load the bundle's chunk
      configureWebBackend({ numThreads: 1 });
      return [{ crossOriginIsolated: scope.crossOriginIsolated }, []];
    case 'inspect':
      return [openBackbone(request.bytes, request.name).info, []];
    case 'open': {
      await trainer?.release();
      trainer = undefined;
      const resume = request.resume ? decodeCheckpoint(request.resume) : undefined;
      trainer = await StudioTrainer.create({
        backbone: request.backbone,
        run: request.run,
        images: request.images,
        dataKey: request.dataKey,
        device: request.device,
        resume,
        onProgress: (what, fraction) => emit({ kind: 'progress', what, fraction }),
        onWarning: (w) => emit({ kind: 'note', text: `${w.requested} is not available here, training on ${w.used} instead (${w.reason})` }),
      });
      const t = trainer;
      return [{ device: t.device, sizes: t.sizes, trainable: t.trainable, progress: t.progress, history: t.history }, []];
    }
    case 'train': {
      cancelled = false;
      const outcome = await requireTrainer().train({
        onBatch: (point) => emit({ kind: 'batch', point }),
        onEpoch: (point) => emit({ kind: 'epoch', point }),
        onCheckpoint: (bytes, meta) => emit({ kind: 'checkpoint', bytes, meta }, [bytes.buffer as ArrayBuffer]),
        pause: yieldToMessages,
        shouldStop: () => cancelled,
      });
      return [{ outcome }, []];
    }
    case 'predict':
      return [{ probabilities: await requireTrainer().predict(request.x, request.count) }, []];
    case 'export': {
      const bytes = await requireTrainer().exportModel();
      return [{ bytes }, [bytes.buffer as ArrayBuffer]];
    }
  }
}

scope.onmessage = (e: MessageEvent<RequestMessage>) => {
  const message = e.data;
  if ('cancel' in message) {
    cancelled = true;
    return;
  }
  handle(message.request).then(
    ([value, transfer]) => post({ id: message.id, ok: true, value }, transfer),
    (error: unknown) => post({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
};
