// `npm run bench vision [W5 ... W9]`: fine-tuning real architectures at 224x224, batch 16, against
// PyTorch with the same weights (torchvision random init, exported once into the bench cache, see
// vision-models.ts) and the same batch. Each side of each workload runs in its own process, so each
// peak RSS (VmHWM) is that side's alone; runs alternate between the sides (BENCH_ROUNDS, default 5,
// of BENCH_STEPS steps, default 3, each after one untimed warm-up step). Prints ms/step min and
// median of each side, the ratios Anneal / PyTorch of both, peak RSS of both, and Anneal's compile
// time (compileTrainStep + ORT session creation) by phase.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { seededRandom, writeNpy } from '@anneal/data';
import { DataType } from '@anneal/onnx';
import { JsonChild } from './json-child.js';
import { torchUnavailable } from './torch-side.js';
import { ensureVisionModel, visionCacheDir } from './vision-models.js';
import { VISION_WORKLOADS, type VisionWorkload } from './vision-session.js';

const here = dirname(fileURLToPath(import.meta.url));
// the Anneal side runs the workspace sources (tsx and the @anneal/source condition), as the CLI and worker boot files do
const sourceMode = pathToFileURL(join(here, '..', '..', 'setup', 'source-mode.mjs')).href;
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const steps = Number(process.env.BENCH_STEPS ?? 3);
const BATCH = 16;

interface Ready {
  compileSeconds?: number;
  phases?: Record<string, number>;
  first_loss: number;
  compilePeakMb?: number;
  threads?: number;
  nodes?: number;
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;

function writeBatch(dir: string): void {
  const rand = seededRandom(2024);
  const n = BATCH * 3 * 224 * 224;
  writeNpy(join(dir, 'x.npy'), { dataType: DataType.FLOAT, dims: [BATCH, 3, 224, 224], data: Float32Array.from({ length: n }, () => rand() * 4 - 2) });
  writeNpy(join(dir, 'labels.npy'), { dataType: DataType.INT64, dims: [BATCH], data: BigInt64Array.from({ length: BATCH }, () => BigInt(Math.floor(rand() * 10))) });
}

async function benchWorkload(id: VisionWorkload, dataDir: string, torch: boolean): Promise<string> {
  const spec = VISION_WORKLOADS[id];
  const modelPath = ensureVisionModel(spec.model);
  const anneal = await JsonChild.start<Ready>(`anneal ${id}`, process.execPath, ['--import', sourceMode, join(here, 'vision-side.ts'), id, modelPath, dataDir, String(steps)]);
  const env = { ...process.env, OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const py = torch ? await JsonChild.start<Ready>(`torch ${id}`, '/usr/bin/python3', [join(here, '..', 'python', 'vision_side.py'), visionCacheDir(), dataDir, id, String(steps)], env) : undefined;
  const a: number[] = [];
  const p: number[] = [];
  for (let r = 0; r < rounds; r++) {
    a.push(((await anneal.child.ask<{ seconds: number }>('run')).seconds * 1000) / steps);
    if (py) p.push(((await py.child.ask<{ seconds: number }>('run')).seconds * 1000) / steps);
  }
  const aRss = (await anneal.child.quit<{ peak_rss_mb: number }>()).peak_rss_mb;
  const pRss = py ? (await py.child.quit<{ peak_rss_mb: number }>()).peak_rss_mb : Number.NaN;
  const ms = (x: number) => x.toFixed(0);
  const phases = Object.entries(anneal.ready.phases ?? {}).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
  const compile = `compile ${anneal.ready.compileSeconds!.toFixed(1)} s${phases ? ` (${phases})` : ''}`;
  let line = `${id} ${spec.title}: anneal min ${ms(sorted(a)[0]!)} median ${ms(median(a))} ms/step, peak RSS ${aRss.toFixed(0)} MB (${anneal.ready.compilePeakMb?.toFixed(0)} MB after compiling), ${compile}, ${anneal.ready.nodes} nodes, first loss ${anneal.ready.first_loss.toFixed(4)}`;
  if (py) {
    const minRatio = sorted(a)[0]! / sorted(p)[0]!;
    const medRatio = median(a) / median(p);
    line += `\n   pytorch min ${ms(sorted(p)[0]!)} median ${ms(median(p))} ms/step, peak RSS ${pRss.toFixed(0)} MB, first loss ${py.ready.first_loss.toFixed(4)}`;
    line += `\n   ratio anneal/pytorch: min ${minRatio.toFixed(2)}, median ${medRatio.toFixed(2)}; peak RSS ${(aRss / pRss).toFixed(2)}x`;
  }
  return line;
}

/** Runs the selected vision workloads (all of W5-W9 when none is named) and prints one block each. */
export async function runVisionBench(only: string[]): Promise<void> {
  const why = torchUnavailable();
  console.log(why ? `PyTorch side skipped: ${why}` : `vision bench: batch ${BATCH} at 224x224, ${rounds} alternated rounds of ${steps} steps per side`);
  const dataDir = mkdtempSync(join(tmpdir(), 'anneal-vision-'));
  writeBatch(dataDir);
  try {
    for (const id of Object.keys(VISION_WORKLOADS) as VisionWorkload[]) {
      if (only.length && !only.includes(id)) continue;
      console.log(await benchWorkload(id, dataDir, !why));
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
