// Anneal side of `npm run bench vision` for one workload, in its own process (so its peak RSS is its own).
//   tsx tools/bench/src/vision-side.ts <W5..W9> <model.onnx> <data-dir> <steps-per-run>
// Prints a ready line with the compile time (model load, compileTrainStep and ORT session creation, split
// by phase with TrainSession's onProgress callback), then answers each stdin line `run` with {"seconds", "loss"} for
// <steps-per-run> steps, and `quit` with {"peak_rss_mb"} (VmHWM of this process).
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { readNpy } from '@anneal/data';
import { prepareModel } from '@anneal/engine';
import { visionSession } from './vision-session.js';
import { peakRssMb } from './peak-rss.js';

const [workload, modelPath, dataDir, stepsArg] = process.argv.slice(2);
const steps = Number(stepsArg ?? 3);
const batch = { x: readNpy(join(dataDir!, 'x.npy')), labels: readNpy(join(dataDir!, 'labels.npy')) };

const t0 = performance.now();
const { model } = prepareModel(modelPath!);
// seconds per compile phase: the time between two progress calls goes to the phase of the earlier one
const phases: Record<string, number> = {};
let current = 'load';
let last = t0;
const lap = (next: string) => {
  const now = performance.now();
  phases[current] = (phases[current] ?? 0) + (now - last) / 1000;
  [current, last] = [next, now];
};
const session = await visionSession(workload!, model, batch, (phase) => lap(phase));
lap('done');
const compileSeconds = (performance.now() - t0) / 1000;
const compilePeakMb = peakRssMb();
const first = await session.step(batch); // warm-up, untimed (first runs allocate ORT's buffers)
console.log(JSON.stringify({ ready: true, compileSeconds, phases, threads: session.intraOpThreads, nodes: session.trainStep.model.graph.node.length, compilePeakMb, first_loss: first.loss }));

for await (const line of createInterface({ input: process.stdin })) {
  const cmd = line.trim();
  if (cmd === 'run') {
    const t = performance.now();
    let loss = 0;
    for (let i = 0; i < steps; i++) loss = (await session.step(batch)).loss;
    console.log(JSON.stringify({ seconds: (performance.now() - t) / 1000, loss }));
  } else if (cmd === 'quit') {
    console.log(JSON.stringify({ peak_rss_mb: peakRssMb() }));
    break;
  }
}
await session.release();
