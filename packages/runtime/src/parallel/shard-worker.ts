// The body of one data-parallel worker thread (started by ShardPool through worker-boot.mjs):
// one ORT session of the gradient model; per step it copies the broadcast tensors out of shared
// memory, runs its micro-batches, accumulates their weighted reduced outputs into its own slot,
// waits for the others, sums its chunk of every slot into the shared result, and replies.
import { parentPort, workerData } from 'node:worker_threads';
import { DataType, type TensorValue } from '@anneal/onnx';
import { createSession } from '../create-session.js';
import { toOrtTensor, type OrtTensor } from '../tensor-convert.js';
import { accumulatePieces } from './accumulate-pieces.js';
import { Barrier, BARRIER_WORDS, reduceChunk } from './all-reduce.js';
import type { RuntimeWarning } from '../warnings.js';
import type { ShardWorkerInit, StepMessage, WorkerReply } from './shard-protocol.js';
import { slotView } from './shared-layout.js';

const init = workerData as ShardWorkerInit;
const port = parentPort!;
const reply = (m: WorkerReply) => port.postMessage(m);

const broadcast = new Float32Array(init.buffers.broadcast);
const slots = new Float32Array(init.buffers.slots);
const reduced = new Float32Array(init.buffers.reduced);
const barrier = new Barrier(new Int32Array(init.buffers.control, 0, BARRIER_WORDS), init.workers);
const mySlot = slots.subarray(init.index * init.reduce.total, (init.index + 1) * init.reduce.total);
// ORT does not take SharedArrayBuffer-backed data: each broadcast tensor gets a private copy per step
const local = new Map(init.broadcast.slots.map((s) => [s.name, new Float32Array(s.size)]));
const localTensors: Record<string, OrtTensor> = {};
for (const s of init.broadcast.slots) localTensors[s.name] = toOrtTensor({ dataType: DataType.FLOAT, dims: [...s.dims], data: local.get(s.name)! }, s.name);

const warnings: RuntimeWarning[] = [];
const session = await createSession(init.model, { device: init.device, deviceId: init.deviceId, intraOpThreads: init.intraOpThreads, onWarning: (w) => warnings.push(w) });
const targets = init.reduce.slots.map((s) => ({ name: s.name, target: mySlot.subarray(s.offset, s.offset + s.size) }));
reply({ kind: 'ready', device: session.device, warnings });

async function runMicro(message: StepMessage): Promise<Record<string, TensorValue>[]> {
  for (const s of init.broadcast.slots) local.get(s.name)!.set(slotView(broadcast, init.broadcast, s));
  mySlot.fill(0);
  return accumulatePieces(session, localTensors, message.micro, targets, init.fetch);
}

port.on('message', async (message: StepMessage) => {
  let outputs: Record<string, TensorValue>[] = [];
  let failure: string | undefined;
  try {
    outputs = await runMicro(message);
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
    mySlot.fill(0);
  }
  // every worker reaches the barrier, failed or not, so nobody waits forever; the main thread
  // posts the next step only after every reply, so no slot changes while others still read it
  barrier.arrive();
  reduceChunk(slots, reduced, init.reduce.total, init.index, init.workers);
  reply(failure === undefined ? { kind: 'done', outputs } : { kind: 'failed', message: failure });
});
