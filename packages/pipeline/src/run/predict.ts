import { existsSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { writeNpy } from '@anneal/data';
import { DataType, loadModel, writeFileAtomic, type ModelProto, type TensorValue } from '@anneal/onnx';
import { checkInputLayout, explicitPreprocess, INFERENCE_METADATA_KEY, inferenceMetadata, preprocessDims, type ImagePreprocess, type InferenceMetadata } from '@anneal/transfer';
import { readJsonFile } from '../config/load-config.js';
import { ConfigError } from '../errors.js';
import { classScores } from './model-output.js';
import { modelSession } from './model-session.js';
import { checkNpySources, listSources, predictBatches, type PredictModelInput } from './predict-inputs.js';
import { runPaths } from './run-paths.js';

/** Options of {@link predict}. */
export interface PredictOptions {
  /** Images, folders of images (searched recursively) and .npy files of float inputs (float16/32/64, batch first). */
  inputs?: readonly string[];
  /** One more input (the CLI's `--input`, kept from when predict took one .npy file). */
  input?: string;
  /** Classes listed per input, most probable first (default 5, at most the class count). */
  topK?: number;
  /** Where to write the predictions: `.csv` or `.json` (sources, top-k classes with names and probabilities), or `.npy` (class ids, int64 [N]). */
  out?: string;
  /** Softmax probabilities as float32 [N, classes] (.npy). */
  probabilities?: string;
  /** How images become the model input; replaces the model's (and its run's) preprocessing when given. */
  preprocess?: ImagePreprocess;
  /** Inputs per ONNX Runtime run (default 64). */
  batchSize?: number;
}

/** One class of a prediction. */
export interface RankedClass {
  class: number;
  /** The class name, when the model (or its run) carries class names. */
  name?: string;
  probability: number;
}

/** The prediction for one input: the source (a file, or `x.npy[3]`), its most probable class, then its top-k classes. */
export interface Prediction extends RankedClass {
  source: string;
  top: RankedClass[];
}

/** What {@link predict} returns. */
export interface PredictResult {
  model: string;
  /** The most probable class id of every input, in order. */
  classes: number[];
  predictions: Prediction[];
  /** Class names (index = class id), from the model's metadata or its run folder. */
  names?: string[];
  /** The preprocessing images were given (every default written out), when there were images. */
  preprocess?: Required<ImagePreprocess>;
  /** Where that preprocessing came from. */
  preprocessFrom?: 'model' | 'run' | 'options';
  /** How the model's first output was read: already probabilities (a Softmax output), or logits (softmax applied here). */
  scores: 'probabilities' | 'logits';
  /** k of the top-k lists. */
  k: number;
  /** Files written. */
  written: string[];
}

/** A model file, or the model of a run folder (`model.onnx`, or an lp-ft run's `finetune/model.onnx`). */
function resolveModel(target: string): { path: string; runDir?: string } {
  if (!existsSync(target)) throw new ConfigError(`${target}: no such model or run folder`);
  if (!statSync(target).isDirectory()) return { path: target };
  for (const candidate of [join(target, 'model.onnx'), join(target, 'finetune', 'model.onnx')]) if (existsSync(candidate)) return { path: candidate, runDir: target };
  throw new ConfigError(`${target}: a folder without model.onnx (nor finetune/model.onnx); give an .onnx file or a finished run folder`);
}

/** Classes and preprocessing of a run folder written before models carried them (summary.json, config.json's data.preprocess). */
function runFolderMetadata(dir: string): InferenceMetadata {
  const paths = runPaths(dir);
  const summary = existsSync(paths.summary) ? (readJsonFile(paths.summary) as { classes?: unknown; preprocess?: unknown }) : {};
  const config = existsSync(paths.config) ? (readJsonFile(paths.config) as { data?: { preprocess?: unknown } }) : {};
  const classes = Array.isArray(summary.classes) && summary.classes.every((c) => typeof c === 'string') ? (summary.classes as string[]) : undefined;
  const preprocess = summary.preprocess ?? config.data?.preprocess;
  return { classes, preprocess: preprocess && typeof preprocess === 'object' ? (preprocess as ImagePreprocess) : undefined };
}

/** The model's data input (the one the metadata names, else the first that is not a weight): name, dims, element type. */
function modelInput(model: ModelProto, path: string, named?: string): PredictModelInput {
  const weights = new Set(model.graph.initializer.map((t) => t.name));
  const inputs = model.graph.input.filter((i) => !weights.has(i.name));
  const input = (named && inputs.find((i) => i.name === named)) || inputs[0];
  if (!input) throw new ConfigError(`${path}: the model has no data input`);
  const tensor = input.type?.tensorType;
  const dims = tensor?.shape?.dim?.map((d) => (d.dimValue !== undefined && Number(d.dimValue) > 0 ? Number(d.dimValue) : d.dimParam || '?')) ?? [];
  return { name: input.name!, dims, dataType: (tensor?.elemType as DataType | undefined) ?? DataType.FLOAT };
}

/**
 * Whether the model's first output already is a probability distribution: produced by a Softmax
 * node (through Identity nodes), or named `probabilities`/`probs` (an Anneal ensemble's
 * mean-probability output). Anything else is read as logits and given a softmax.
 */
function outputsProbabilities(model: ModelProto): boolean {
  let name = model.graph.output[0]?.name;
  if (!name) return false;
  if (/^(probabilities|probs)$/i.test(name)) return true;
  for (let hops = 0; hops < 8; hops++) {
    const node = model.graph.node.find((n) => n.output.includes(name!));
    if (!node) return false;
    if (node.opType === 'Softmax' && (!node.domain || node.domain === 'ai.onnx')) return true;
    if (node.opType !== 'Identity') return false;
    name = node.input[0];
  }
  return false;
}

/** `x` with zero rows appended up to `rows` rows. */
function padRows(x: TensorValue, rows: number): TensorValue {
  const data = x.data as Float32Array | Float64Array | Uint16Array;
  const padded = new (data.constructor as Float32ArrayConstructor)((data.length / (x.dims[0] as number)) * rows);
  padded.set(data as Float32Array);
  return { dataType: x.dataType, dims: [rows, ...x.dims.slice(1)], data: padded };
}

/** Softmax of a row of logits (as float64 sums, then float32). */
function softmax(row: Float32Array): Float32Array {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  const e = Array.from(row, (v) => Math.exp(v - max));
  const total = e.reduce((a, v) => a + v, 0);
  return Float32Array.from(e, (v) => v / total);
}

/** `source,class,name,probability,class_2,name_2,probability_2,...` with the top-k classes of each input. */
function predictionsCsv(predictions: readonly Prediction[], k: number): string {
  const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const header = ['source', ...Array.from({ length: k }, (_, r) => (r === 0 ? ['class', 'name', 'probability'] : [`class_${r + 1}`, `name_${r + 1}`, `probability_${r + 1}`])).flat()];
  const lines = predictions.map((p) => [quote(p.source), ...p.top.flatMap((c) => [String(c.class), quote(c.name ?? ''), c.probability.toPrecision(6)])].join(','));
  return [header.join(','), ...lines].join('\n') + '\n';
}

/** The preprocessing images get: the options' (when given), else the model's metadata, else its run folder's. */
function choosePreprocess(options: PredictOptions, stored: InferenceMetadata | undefined, run: InferenceMetadata): { p?: ImagePreprocess; from?: PredictResult['preprocessFrom'] } {
  if (options.preprocess) return { p: options.preprocess, from: 'options' };
  if (stored?.preprocess) return { p: stored.preprocess, from: 'model' };
  if (run.preprocess) return { p: run.preprocess, from: 'run' };
  return {};
}

/**
 * `anneal predict <model | run folder> <inputs...>`: the top-k classes of every input, with class
 * names. A fine-tuned model.onnx carries its class names and preprocessing in its metadata
 * ('anneal.inference', see `inferenceMetadata` of @anneal/transfer); a run folder's summary.json
 * and config.json stand in for models written before that. Images (and folders of them, searched
 * recursively) are decoded and preprocessed by @anneal/transfer as the fine-tune did (or as
 * `options.preprocess` says, which wins); .npy inputs of any float type (float16/32/64) are
 * converted to the model input's type. The first output must be float class scores [N, classes]
 * (a ModelOutputError otherwise); a Softmax output is read as probabilities, anything else as
 * logits. Every input is checked before the model runs, and nothing is written on an error.
 *
 * `out` takes `.csv` or `.json` (sources, top-k ids, names, probabilities) or `.npy` (class ids,
 * int64 [N], as before); `probabilities` writes float32 [N, classes] .npy.
 *
 * @example const r = await predict('runs/flowers', { inputs: ['photos/'], topK: 3, out: 'predictions.csv' });
 */
export async function predict(target: string, options: PredictOptions): Promise<PredictResult> {
  const { path, runDir } = resolveModel(target);
  const outKind = options.out ? extname(options.out).toLowerCase() : undefined;
  if (outKind && !['.npy', '.csv', '.json'].includes(outKind)) throw new ConfigError(`--out ${options.out}: write predictions to a .csv or .json file (or class ids to .npy)`);
  if (options.topK !== undefined && !(Number.isInteger(options.topK) && options.topK >= 1)) throw new ConfigError(`--top-k ${options.topK}: give a whole number of 1 or more`);
  const sources = listSources([...(options.inputs ?? []), ...(options.input ? [options.input] : [])]);
  const model = loadModel(path);
  const stored = inferenceMetadata(model, path);
  const run = runDir ? runFolderMetadata(runDir) : {};
  const names = stored?.classes ?? run.classes;
  const input = modelInput(model, path, stored?.input);
  checkNpySources(sources, input, path);
  const chosen = sources.some((s) => s.kind === 'image') ? choosePreprocess(options, stored, run) : {};
  const preprocess = chosen.p ? explicitPreprocess(chosen.p) : undefined;
  if (sources.some((s) => s.kind === 'image')) {
    if (!preprocess) throw new ConfigError(`${path} carries no image preprocessing (no '${INFERENCE_METADATA_KEY}' metadata${runDir ? ', and its run folder does not say' : ''}), so images cannot become its input '${input.name}' [${input.dims.join(', ')}]; give the preprocessing (--size HxW, and --mean/--std/--fit... as the model was trained), or .npy inputs`);
    checkInputLayout({ name: input.name, dims: input.dims.slice(1) }, preprocessDims(preprocess), preprocess.layout);
  }
  const probabilitiesOut = outputsProbabilities(model);
  const fixedBatch = typeof input.dims[0] === 'number' ? input.dims[0] : undefined;
  const session = await modelSession(path, model);
  const rows: { source: string; p: Float32Array }[] = [];
  try {
    for await (const b of predictBatches(sources, preprocess, fixedBatch ?? options.batchSize ?? 64, input.dataType)) {
      // a model with a fixed batch dimension gets its last, shorter batch padded with zeros
      const x = fixedBatch && b.rows.length < fixedBatch ? padRows(b.x, fixedBatch) : b.x;
      const scores = classScores(await session.run({ [input.name]: x }), path, x.dims[0] as number);
      const c = scores.dims[1]!;
      b.rows.forEach((source, i) => {
        const row = scores.data.subarray(i * c, (i + 1) * c);
        rows.push({ source, p: probabilitiesOut ? Float32Array.from(row) : softmax(row) });
      });
    }
  } finally {
    await session.release();
  }
  const classes = rows[0]?.p.length ?? 0;
  if (names && names.length !== classes) throw new ConfigError(`${path}: the model scores ${classes} classes but its metadata names ${names.length} (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}); re-export the model`);
  const k = Math.max(1, Math.min(options.topK ?? 5, classes));
  const predictions: Prediction[] = rows.map(({ source, p }) => {
    const order = Array.from(p.keys()).sort((a, b) => p[b]! - p[a]! || a - b);
    const top = order.slice(0, k).map((id) => ({ class: id, ...(names ? { name: names[id] } : {}), probability: p[id]! }));
    return { source, ...top[0]!, top };
  });
  const written: string[] = [];
  if (options.out) {
    if (outKind === '.npy') writeNpy(options.out, { dataType: DataType.INT64, dims: [predictions.length], data: BigInt64Array.from(predictions, (p) => BigInt(p.class)) });
    else if (outKind === '.csv') writeFileAtomic(options.out, predictionsCsv(predictions, k));
    else writeFileAtomic(options.out, JSON.stringify({ model: path, classes: names, preprocess, predictions }, null, 2) + '\n');
    written.push(options.out);
  }
  if (options.probabilities) {
    const all = new Float32Array(rows.length * classes);
    rows.forEach((r, i) => all.set(r.p, i * classes));
    writeNpy(options.probabilities, { dataType: DataType.FLOAT, dims: [rows.length, classes], data: all });
    written.push(options.probabilities);
  }
  return { model: path, classes: predictions.map((p) => p.class), predictions, names, ...(preprocess ? { preprocess, preprocessFrom: chosen.from } : {}), scores: probabilitiesOut ? 'probabilities' : 'logits', k, written };
}
