import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatNpy, readNpy } from '@anneal/data';
import { DataType, decodeModel, encodeModel, type ModelProto } from '@anneal/onnx';
import { loadCheckpoint, saveCheckpoint } from '@anneal/runtime';
import { evenBoundaries, fuzzRandom, fuzzSummary, runFuzz, truncations, type Mutant } from '@anneal/testing/fuzz';
import { runCli } from './run-cli.js';

// The CLI driven in-process over a sample of malformed inputs per command (the formats' own fuzz
// specs cover them in depth): every bad input exits 2 with a typed error that names the file,
// never a raw TypeError/RangeError/SyntaxError/ReferenceError, a crash or a hang; the good inputs
// beside them exit 0.

const here = dirname(fileURLToPath(import.meta.url));
const mlp = join(here, '..', '..', '..', 'packages', 'autograd', 'fixtures', 'torch', 'mlp');
const RAW = /\b(TypeError|RangeError|SyntaxError|ReferenceError|EvalError|URIError)\b/;

interface CliCase {
  args: string[];
  /** The bad file the message must name (its base name); undefined for a case that must succeed. */
  names?: string;
  /** A line stderr must contain on success (a warning). */
  warns?: RegExp;
}

let root: string;
let n = 0;
/** A file in the case folder, written now. */
const file = (name: string, data: Uint8Array | string) => {
  const path = join(root, `${n++}-${name}`);
  writeFileSync(path, data);
  return path;
};

const model = () => decodeModel(readFileSync(join(mlp, 'model.onnx')));
const saveModelVariant = (name: string, change: (m: ModelProto) => void) => {
  const m = model();
  change(m);
  return file(`${name}.onnx`, encodeModel(m));
};
const npyWithHeader = (name: string, bytes: Uint8Array, edit: (header: string) => string) => {
  const len = bytes[8]! | (bytes[9]! << 8);
  const header = new TextEncoder().encode(edit(new TextDecoder('latin1').decode(bytes.subarray(10, 10 + len))));
  const out = new Uint8Array(10 + header.length + bytes.length - 10 - len);
  out.set(bytes.subarray(0, 8));
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(header, 10);
  out.set(bytes.subarray(10 + len), 10 + header.length);
  return file(name, out);
};

function gradCases(): Mutant<CliCase>[] {
  const x = join(mlp, 'x.npy');
  const y = join(mlp, 'y.npy');
  const out = join(root, 'grads.json');
  const grad = (m: string, labels = y, input = x) => ['grad', m, '--input', input, '--labels', labels, '--out', out];
  const labels = (name: string, values: bigint[]) => file(name, formatNpy({ dataType: DataType.INT64, dims: [values.length], data: BigInt64Array.from(values) }));
  const bytes = readFileSync(join(mlp, 'model.onnx'));
  const xBytes = readFileSync(x);
  const cases: [string, string[], string?][] = [
    ['valid', grad(join(mlp, 'model.onnx'))],
    ['int32 labels', grad(join(mlp, 'model.onnx'), file('y32.npy', formatNpy({ dataType: DataType.INT32, dims: [6], data: Int32Array.from([1, 4, 1, 0, 0, 0]) })))],
    ['a weight 8 bytes short', grad(saveModelVariant('short', (m) => (m.graph.initializer[0]!.rawData = m.graph.initializer[0]!.rawData!.subarray(0, 2552)))), 'short.onnx'],
    ['negative dims', grad(saveModelVariant('negative', (m) => (m.graph.initializer[0]!.dims = [-1, 5]))), 'negative.onnx'],
    ['huge dims', grad(saveModelVariant('huge', (m) => (m.graph.initializer[0]!.dims = [1e12, 1e6]))), 'huge.onnx'],
    ['no outputs', grad(saveModelVariant('no-outputs', (m) => (m.graph.output = []))), 'no-outputs.onnx'],
    ['a folder as the model', grad(root), basename(root)],
    ['label -1', grad(join(mlp, 'model.onnx'), labels('minus-one.npy', [1n, 4n, -1n, 0n, 0n, 0n])), 'minus-one.npy'],
    ['label 1e9', grad(join(mlp, 'model.onnx'), labels('billion.npy', [1n, 4n, 1000000000n, 0n, 0n, 0n])), 'billion.npy'],
    ['label 5 of 5 classes', grad(join(mlp, 'model.onnx'), labels('five.npy', [1n, 4n, 5n, 0n, 0n, 0n])), 'five.npy'],
    ['.npy version 9', grad(join(mlp, 'model.onnx'), y, file('v9.npy', Uint8Array.from(xBytes, (b, i) => (i === 6 ? 9 : b)))), 'v9.npy'],
    ['.npy shape (-1, 20)', grad(join(mlp, 'model.onnx'), y, npyWithHeader('neg-shape.npy', xBytes, (h) => h.replace(/'shape': \([^)]*\)/, "'shape': (-1, 20)"))), 'neg-shape.npy'],
    ['.npy data cut', grad(join(mlp, 'model.onnx'), y, file('cut.npy', xBytes.subarray(0, xBytes.length - 4))), 'cut.npy'],
    ...truncations(bytes, evenBoundaries(bytes.length, 4).slice(1)).slice(0, 6).map((m, k): [string, string[], string] => [`model ${m.name}`, grad(file(`cut-${k}.onnx`, m.input)), `cut-${k}.onnx`]),
  ];
  return cases.map(([name, args, names]) => ({ name: `grad: ${name}`, input: { args, names } }));
}

function fitConfig(name: string, lines: Record<string, string>): string {
  const body = { data: `{ source: { type: npy, x: ${join(root, 'X.npy')}, y: ${join(root, 'Y.npy')} }, split: { test: 0.2, val: 0.1, seed: 0 }, batchSize: 8 }`, model: '{ type: mlp, hidden: [4] }', optimizer: '{ type: adam, lr: 0.01 }', train: '{ epochs: 1, threads: 1 }', ...lines };
  return file(`${name}.yaml`, `name: ${name}\n${Object.entries(body).map(([k, v]) => `${k}: ${v}`).join('\n')}\n`);
}

function fitCases(): Mutant<CliCase>[] {
  const labels = (name: string, values: number[], dataType = DataType.INT64) =>
    file(name, formatNpy({ dataType, dims: [values.length], data: dataType === DataType.INT64 ? BigInt64Array.from(values, (v) => BigInt(v)) : Int32Array.from(values) }));
  const y = Array.from({ length: 60 }, (_, i) => i % 5);
  const data = (yPath: string) => `{ source: { type: npy, x: ${join(root, 'X.npy')}, y: ${yPath} }, split: { test: 0.2, val: 0.1, seed: 0 }, batchSize: 8 }`;
  const csv = file('labels.csv', 'a,b,label\n' + y.map((v, i) => `${Math.sin(i)},${Math.cos(i)},${i === 7 ? 1e9 : v}`).join('\n') + '\n');
  const bomb = ['a0: &a0 [lol]', ...Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array.from({ length: 9 }, () => `*a${i}`).join(', ')}]`)].join('\n');
  const fit = (config: string) => ['fit', config, '--out', join(root, `run-${n++}`), '--no-progress'];
  const cases: [string, string[], string?][] = [
    ['int32 labels (as grad and train take them)', fit(fitConfig('int32', { data: data(labels('y32.npy', y, DataType.INT32)) }))],
    ['label -1', fit(fitConfig('neg', { data: data(labels('yneg.npy', y.map((v, i) => (i === 3 ? -1 : v)))) })), 'yneg.npy'],
    ['label 1e9', fit(fitConfig('big', { data: data(labels('ybig.npy', y.map((v, i) => (i === 3 ? 1e9 : v)))) })), 'ybig.npy'],
    ['label 2^40', fit(fitConfig('huge', { data: data(labels('yhuge.npy', y.map((v, i) => (i === 3 ? 2 ** 40 : v)))) })), 'yhuge.npy'],
    ['CSV label 1e9', fit(fitConfig('csv', { data: `{ source: { type: csv, path: ${csv}, label: label }, batchSize: 8 }` })), 'labels.csv'],
    ['YAML alias bomb', fit(file('bomb.yaml', `${readFileSync(fitConfig('base', {}), 'utf8')}${bomb}\n`)), 'bomb.yaml'],
    ['duplicate key', fit(file('dup.yaml', `${readFileSync(fitConfig('base2', {}), 'utf8')}seed: 4\nseed: 5\n`)), 'dup.yaml'],
    ['JSON config cut', fit(file('cut.json', '{"name": "x", "seed": ')), 'cut.json'],
    ['a model with a short weight', fit(fitConfig('short', { model: `{ type: onnx, path: ${saveModelVariant('fit-short', (m) => (m.graph.initializer[0]!.rawData = m.graph.initializer[0]!.rawData!.subarray(0, 100)))} }` })), 'fit-short.onnx'],
  ];
  return cases.map(([name, args, names]) => ({ name: `fit: ${name}`, input: { args, names } }));
}

function predictCases(): Mutant<CliCase>[] {
  const x = readFileSync(join(mlp, 'x.npy'));
  const predict = (input: string) => ['predict', join(mlp, 'model.onnx'), '--input', input];
  const cases: [string, string[], string?][] = [
    ['valid', predict(join(mlp, 'x.npy'))],
    ['.npy version 9', predict(file('p-v9.npy', Uint8Array.from(x, (b, i) => (i === 6 ? 9 : b)))), 'p-v9.npy'],
    ['.npy cut in its header', predict(file('p-cut.npy', x.subarray(0, 40))), 'p-cut.npy'],
    ['.npy shape (6, -20)', predict(npyWithHeader('p-neg.npy', x, (h) => h.replace(/'shape': \([^)]*\)/, "'shape': (6, -20)"))), 'p-neg.npy'],
    ['.npy with trailing bytes', predict(file('p-long.npy', new Uint8Array([...x, 0, 0, 0, 0]))), 'p-long.npy'],
    ['a folder as the model', ['predict', root, '--input', join(mlp, 'x.npy')], basename(root)],
    ['a weight 8 bytes short', ['predict', saveModelVariant('p-short', (m) => (m.graph.initializer[0]!.rawData = m.graph.initializer[0]!.rawData!.subarray(0, 2552))), '--input', join(mlp, 'x.npy')], 'p-short.onnx'],
    ['no outputs', ['predict', saveModelVariant('p-none', (m) => (m.graph.output = [])), '--input', join(mlp, 'x.npy')], 'p-none.onnx'],
  ];
  return cases.map(([name, args, names]) => ({ name: `predict: ${name}`, input: { args, names } }));
}

function inspectCases(): Mutant<CliCase>[] {
  const bytes = readFileSync(join(mlp, 'model.onnx'));
  const rng = fuzzRandom(12);
  const cases: [string, string[], string?][] = [
    ['valid', ['inspect', join(mlp, 'model.onnx')]],
    ['no outputs', ['inspect', saveModelVariant('i-none', (m) => (m.graph.output = []))], 'i-none.onnx'],
    ['no inputs', ['inspect', saveModelVariant('i-no-inputs', (m) => (m.graph.input = m.graph.input.filter((v) => m.graph.initializer.some((t) => t.name === v.name))))]],
    ['a weight 4 bytes long', ['inspect', saveModelVariant('i-long', (m) => (m.graph.initializer[1]!.rawData = new Uint8Array([...m.graph.initializer[1]!.rawData!, 1, 2, 3, 4])))], 'i-long.onnx'],
    ['dims 2^53', ['inspect', saveModelVariant('i-dims', (m) => (m.graph.initializer[2]!.dims = [2 ** 53]))], 'i-dims.onnx'],
    ['a folder', ['inspect', root], basename(root)],
    ['random bytes', ['inspect', file('i-random.onnx', Uint8Array.from({ length: 512 }, () => rng.int(256)))], 'i-random.onnx'],
    ['cut in half', ['inspect', file('i-half.onnx', bytes.subarray(0, bytes.length >> 1))], 'i-half.onnx'],
  ];
  return cases.map(([name, args, names]) => ({ name: `inspect: ${name}`, input: { args, names } }));
}

/** Copies of a finished run folder with one file damaged; resume and evaluate read them. */
function runFolderCases(run: string): Mutant<CliCase>[] {
  const copy = (name: string, damage: (dir: string) => void) => {
    const dir = join(root, `${n++}-${name}`);
    cpSync(run, dir, { recursive: true });
    damage(dir);
    return dir;
  };
  const metrics = (dir: string) => join(dir, 'metrics.jsonl');
  const lines = readFileSync(metrics(run), 'utf8').trim().split('\n');
  const last = (dir: string) => join(dir, 'checkpoints', 'last.safetensors');
  const withState = (dir: string, state: string) => {
    const { tensors, metadata } = loadCheckpoint(last(dir));
    saveCheckpoint(last(dir), tensors, { ...metadata, 'anneal.trainer': state });
  };
  const state = loadCheckpoint(last(run)).metadata['anneal.trainer']!;
  // the finished run's state moved back to the end of its first epoch: a run interrupted there, which resume continues
  const parsed = JSON.parse(state) as { history: unknown[]; data?: { batchesPerEpoch: number } };
  const perEpoch = parsed.data?.batchesPerEpoch ?? 6;
  const interrupted = JSON.stringify({ ...parsed, epoch: 1, batch: 0, step: perEpoch, backendSteps: perEpoch, finished: false, history: parsed.history.slice(0, 1) });
  const cases: [string, string[], string?, RegExp?][] = [
    ['resume (interrupted run): intact', ['resume', copy('intact', (d) => withState(d, interrupted)), '--no-progress']],
    ['resume (interrupted run): a garbage metrics.jsonl line', ['resume', copy('garbage-line', (d) => (withState(d, interrupted), writeFileSync(metrics(d), [lines[0], 'garbage', ...lines.slice(1)].join('\n') + '\n'))), '--no-progress'], undefined, /warning: .*metrics\.jsonl: dropped 1 damaged line/],
    ['resume (interrupted run): a torn last metrics.jsonl line', ['resume', copy('torn-line', (d) => (withState(d, interrupted), writeFileSync(metrics(d), lines.join('\n').slice(0, -15)))), '--no-progress'], undefined, /warning: .*metrics\.jsonl: dropped 1 damaged line/],
    ['resume: Trainer state not JSON', ['resume', copy('state-json', (d) => withState(d, '{"version": 2, "epoch"')), '--no-progress'], 'last.safetensors'],
    ['resume: Trainer state epoch "x"', ['resume', copy('state-type', (d) => withState(d, state.replace(/"epoch":\d+/, '"epoch":"x"'))), '--no-progress'], 'last.safetensors'],
    ['resume: Trainer state null', ['resume', copy('state-null', (d) => withState(d, 'null')), '--no-progress'], 'last.safetensors'],
    ['resume: checkpoint cut', ['resume', copy('ckpt-cut', (d) => writeFileSync(last(d), readFileSync(last(d)).subarray(0, 100))), '--no-progress'], 'last.safetensors'],
    ['resume: config.json not JSON', ['resume', copy('config-json', (d) => writeFileSync(join(d, 'config.json'), '{"name": "tiny",')), '--no-progress'], 'config.json'],
    ['resume: config.json with a duplicate key', ['resume', copy('config-dup', (d) => writeFileSync(join(d, 'config.json'), readFileSync(join(d, 'config.json'), 'utf8').replace('{', '{"seed": 9, '))), '--no-progress'], 'config.json'],
    ['resume: runtime.json not JSON', ['resume', copy('runtime-json', (d) => writeFileSync(join(d, 'runtime.json'), '{"intraOp": ')), '--no-progress'], 'runtime.json'],
    ['evaluate: config.json not JSON', ['evaluate', copy('eval-config', (d) => writeFileSync(join(d, 'config.json'), 'garbage'))], 'config.json'],
    ['evaluate: a bare model without --config', ['evaluate', join(run, 'model.onnx')], '--config'],
    ['evaluate: a run whose model.onnx is cut', ['evaluate', copy('eval-model', (d) => writeFileSync(join(d, 'model.onnx'), readFileSync(join(d, 'model.onnx')).subarray(0, 200)))], 'model.onnx'],
    ['evaluate: a run', ['evaluate', run]],
  ];
  return cases.map(([name, args, names, warns]) => ({ name, input: { args, names, warns } }));
}

function scheduleCases(): Mutant<CliCase>[] {
  const plot = (config: string) => ['schedule', 'plot', config, '--steps', '100', '--out', join(root, `plot-${n++}`)];
  const cases: [string, string[], string?][] = [
    ['valid', plot(file('s-ok.yaml', 'schedules:\n  - schedule: { type: cosine, base: 0.1, tMax: 100 }\n'))],
    ['alias bomb', plot(file('s-bomb.yaml', `schedules:\n  - schedule: { type: cosine, base: 0.1, tMax: 100 }\n${['a0: &a0 [x]', ...Array.from({ length: 8 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array.from({ length: 9 }, () => `*a${i}`).join(', ')}]`)].join('\n')}\n`)), 's-bomb.yaml'],
    ['duplicate key', plot(file('s-dup.yaml', 'schedules:\n  - schedule: { type: cosine, base: 0.1, base: 1, tMax: 100 }\n')), 's-dup.yaml'],
    ['JSON cut', plot(file('s-cut.json', '{"schedules": [{"schedule": {"type": "cosine"')), 's-cut.json'],
    ['not YAML', plot(file('s-bad.yaml', 'schedules: [\n  - {')), 's-bad.yaml'],
  ];
  return cases.map(([name, args, names]) => ({ name: `schedule plot: ${name}`, input: { args, names } }));
}

/** Exit 0 for a good input (with its warning); exit 2, a typed error naming the file and no raw JS error for a bad one. */
function verify(c: CliCase, r: { code: number; out: string; err: string }): string | undefined {
  if (RAW.test(r.err)) return `a raw error reached the user (exit ${r.code}): ${r.err.slice(0, 300)}`;
  if (!c.names) {
    if (r.code !== 0) return `exit ${r.code} for a good input: ${r.err.slice(0, 300)}`;
    if (c.warns && !c.warns.test(r.err)) return `no warning ${c.warns} in: ${r.err.slice(0, 600)}`;
    return undefined;
  }
  if (r.code !== 2) return `exit ${r.code}, not 2: ${r.err.slice(0, 300)}`;
  if (!/^anneal: \w+Error: /m.test(r.err)) return `not a typed error: ${r.err.slice(0, 300)}`;
  if (!r.err.includes(c.names)) return `the message does not name ${c.names}: ${r.err.slice(0, 300)}`;
  return undefined;
}

describe('CLI fuzz', () => {
  let run: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cli-fuzz-'));
    writeFileSync(join(root, 'X.npy'), formatNpy({ dataType: DataType.FLOAT, dims: [60, 20], data: Float32Array.from({ length: 1200 }, (_, i) => Math.sin(i * 0.7)) }));
    writeFileSync(join(root, 'Y.npy'), formatNpy({ dataType: DataType.INT64, dims: [60], data: BigInt64Array.from({ length: 60 }, (_, i) => BigInt(i % 5)) }));
    run = join(root, 'tiny');
    const r = await runCli(['fit', fitConfig('tiny', { train: '{ epochs: 2, threads: 1 }' }), '--out', run, '--no-progress']);
    expect(r.code, r.err).toBe(0);
    expect(readNpy(join(root, 'Y.npy')).dims).toEqual([60]);
    mkdirSync(join(root, 'scratch'));
    copyFileSync(join(mlp, 'model.onnx'), join(root, 'scratch', 'model.onnx'));
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('each command exits 2 with a typed error naming the bad file, and 0 for the good inputs beside them', async () => {
    const cases = [...gradCases(), ...fitCases(), ...predictCases(), ...inspectCases(), ...runFolderCases(run), ...scheduleCases()];
    // a bad input answered as it should (exit 2, typed, naming the file) counts as a typed error
    class AnsweredWithExit2 extends Error {}
    const report = await runFuzz(
      {
        format: 'CLI (grad, fit, predict, inspect, resume, evaluate, schedule plot)',
        run: async (c) => {
          const why = verify(c, await runCli(c.args));
          if (!why && c.names) throw new AnsweredWithExit2();
          return why;
        },
        typed: (e) => e instanceof AnsweredWithExit2,
        verify: (_, why) => why,
        timeoutMs: 30_000,
      },
      cases,
    );
    console.log(fuzzSummary(report, 40));
    expect(report.failures, fuzzSummary(report, 40)).toEqual([]);
    // the run resumed over a garbage line kept its valid lines and wrote a clean file: doctor reads it
    const resumed = cases.find((c) => c.name.includes('garbage metrics.jsonl'))!.input.args[1]!;
    const kept = readFileSync(join(resumed, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(kept.every((l) => l.startsWith('{"kind":'))).toBe(true);
    expect(kept.filter((l) => l.startsWith('{"kind":"epoch"'))).toHaveLength(2);
    const doctor = await runCli(['doctor', resumed]);
    expect(doctor.code, doctor.err).toBe(0);
  }, 300_000);
});
