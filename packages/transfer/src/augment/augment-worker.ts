// The body of one augmentation worker thread (started by AugmentedImages through @anneal/runtime's
// startTypeScriptWorker): decodes, augments and normalizes the examples it is sent, one at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { augmentImage } from './augment-image.js';
import { augmentRandom } from './augment-random.js';
import { decodePixels } from './decode-pixels.js';
import type { AugmentReply, AugmentTask, AugmentWorkerInit } from './augment-protocol.js';
import { normalizePixels } from './normalize.js';

const init = workerData as AugmentWorkerInit;
const port = parentPort!;
let queue = Promise.resolve();

async function handle(task: AugmentTask): Promise<void> {
  try {
    const img = await decodePixels(task.source, init.channels, init.shorterSide, init.background);
    const out = augmentImage(img, init.size, init.augment, augmentRandom(task.seed, task.epoch, task.index));
    if (init.invert) for (let i = 0; i < out.data.length; i++) out.data[i] = 1 - out.data[i]!;
    const data = normalizePixels(out, init.mean, init.std);
    port.postMessage({ id: task.id, data } satisfies AugmentReply, [data.buffer as ArrayBuffer]);
  } catch (e) {
    port.postMessage({ id: task.id, error: e instanceof Error ? e.message : String(e) } satisfies AugmentReply);
  }
}

port.on('message', (task: AugmentTask) => {
  queue = queue.then(() => handle(task));
});
