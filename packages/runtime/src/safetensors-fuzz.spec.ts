import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType } from '@anneal/onnx';
import { appended, bitFlips, byteEdits, chunkEdits, concat, duplicateKeyTexts, evenBoundaries, fuzzRandom, fuzzSummary, integerFieldEdits, jsonFieldMutations, namesFile, runFuzz, truncations, type Mutant } from '@anneal/testing/fuzz';
import { loadCheckpoint } from './checkpoint.js';
import { AnnealRuntimeError } from './errors.js';
import { encodeSafetensors, type SafetensorsContents } from './safetensors.js';

// Malformed safetensors checkpoints, generated from a valid one (several dtypes, a scalar, an
// empty tensor, metadata): each must give a typed error naming the file, or tensors whose bytes
// are exactly the ranges its header gives.

const valid = encodeSafetensors(
  {
    'fc.weight': { dataType: DataType.FLOAT, dims: [3, 4], data: Float32Array.from({ length: 12 }, (_, i) => i / 3) },
    'fc.bias': { dataType: DataType.DOUBLE, dims: [4], data: Float64Array.from([1, 2, 3, 4]) },
    step: { dataType: DataType.INT64, dims: [], data: BigInt64Array.from([7n]) },
    mask: { dataType: DataType.BOOL, dims: [2, 2], data: Uint8Array.from([1, 0, 0, 1]) },
    empty: { dataType: DataType.FLOAT, dims: [0, 5], data: new Float32Array(0) },
  },
  { 'anneal.trainer': '{"version":2}', step: '7' },
);

const headerLength = Number(new DataView(valid.buffer).getBigUint64(0, true));
const headerText = new TextDecoder().decode(valid.subarray(8, 8 + headerLength)).trimEnd();
const header = JSON.parse(headerText) as Record<string, unknown>;
const data = valid.subarray(8 + headerLength);

/** A file with the given header text (padded to 8 bytes) and the valid file's data. */
function withHeader(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text + ' '.repeat((8 - ((8 + new TextEncoder().encode(text).length) % 8)) % 8));
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(bytes.length), true);
  return concat(len, bytes, data);
}

function mutants(): Mutant<Uint8Array>[] {
  const rng = fuzzRandom(5);
  const entries = Object.entries(header).filter(([k]) => k !== '__metadata__') as [string, { data_offsets: [number, number] }][];
  const dataBoundaries = entries.flatMap(([, e]) => e.data_offsets.map((o) => 8 + headerLength + o));
  return [
    { name: 'valid', input: valid, expect: 'ok' },
    // every byte counts: a cut file is always an error
    ...truncations(valid, [8, 9, 8 + headerLength - 1, 8 + headerLength, ...dataBoundaries, ...evenBoundaries(headerLength, 20).map((b) => 8 + b)], 'error'),
    ...integerFieldEdits(valid, 0, 8, 'header length'),
    ...jsonFieldMutations(header, rng, 150).map((m) => ({ ...m, name: `header ${m.name}`, input: withHeader(JSON.stringify(m.input)) })),
    ...duplicateKeyTexts(header, { mustRefuse: false }).map((m) => ({ ...m, name: `header ${m.name}`, input: withHeader(m.input.replace(/\s+/g, ' ')) })),
    // each tensor's range moved by a few bytes: an overlap with its neighbour, or a hole
    ...entries.flatMap(([name, e]) =>
      [-4, 4].map((shift) => ({ name: `tensor '${name}' range shifted by ${shift}`, input: withHeader(JSON.stringify({ ...header, [name]: { ...e, data_offsets: e.data_offsets.map((o) => o + shift) } })) })),
    ),
    { name: 'header not an object', input: withHeader('[1, 2]') },
    { name: 'header null', input: withHeader('null') },
    { name: 'header invalid UTF-8', input: concat(valid.subarray(0, 8), Uint8Array.from([0xff, 0xfe]), valid.subarray(10)) },
    { name: 'metadata as an array', input: withHeader(headerText.replace(/"__metadata__":\{[^}]*\}/, '"__metadata__":["a"]')) },
    { name: 'metadata value a number', input: withHeader(headerText.replace('"step":"7"', '"step":7')) },
    appended(valid, [0, 0, 0, 0], 'error'),
    ...bitFlips(valid, 100, rng, [0, 8 + headerLength]),
    ...byteEdits(valid, 40, rng, [0, 8 + headerLength]),
    ...chunkEdits(valid, 20, rng),
    // flips in the data region leave a valid file: its tensors must hold the new bytes exactly
    ...bitFlips(valid, 10, rng, [8 + headerLength, valid.length]).map((m) => ({ ...m, expect: 'ok' as const })),
  ];
}

/** Accepted tensors hold exactly the bytes the file's header points at. */
function verify(input: Uint8Array, result: SafetensorsContents): string | undefined {
  const len = Number(new DataView(input.buffer, input.byteOffset).getBigUint64(0, true));
  const parsed = JSON.parse(new TextDecoder().decode(input.subarray(8, 8 + len))) as Record<string, { data_offsets: [number, number]; shape: number[] }>;
  const body = input.subarray(8 + len);
  for (const [name, value] of Object.entries(result.tensors)) {
    const e = parsed[name];
    if (!e) return `tensor '${name}' is not in the header`;
    const want = body.subarray(e.data_offsets[0], e.data_offsets[1]);
    const got = new Uint8Array(value.data.buffer, value.data.byteOffset, value.data.byteLength);
    if (got.length !== want.length || got.some((b, i) => b !== want[i])) return `tensor '${name}' does not hold its bytes`;
    if (value.data.length !== value.dims.reduce((a, b) => a * b, 1)) return `tensor '${name}' has ${value.data.length} elements for dims [${value.dims}]`;
  }
  return undefined;
}

describe('safetensors fuzz', () => {
  it('every malformed checkpoint gives a typed error naming it, every accepted one its exact bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'safetensors-fuzz-'));
    try {
      const file = join(dir, 'last.safetensors');
      const report = await runFuzz(
        {
          format: 'safetensors (loadCheckpoint)',
          run: (bytes) => {
            writeFileSync(file, bytes);
            return loadCheckpoint(file);
          },
          typed: namesFile([AnnealRuntimeError], () => file),
          verify,
          timeoutMs: 2000,
        },
        mutants(),
      );
      console.log(fuzzSummary(report));
      expect(report.total).toBeGreaterThan(300);
      expect(report.failures, fuzzSummary(report)).toEqual([]);
      expect(() => loadCheckpoint(dir)).toThrow(/cannot read checkpoint/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
