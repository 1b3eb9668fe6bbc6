import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType, type TensorValue } from '@anneal/onnx';
import { bitFlips, byteEdits, chunkEdits, appended, fuzzRandom, fuzzSummary, integerFieldEdits, namesFile, runFuzz, truncations, type Mutant } from '@anneal/testing/fuzz';
import { DataError } from './errors.js';
import { formatNpy, readNpy } from './npy.js';

// Malformed .npy files, generated from valid ones of every supported dtype and the three format
// versions: each must give a DataError naming the file, or parse to exactly what its bytes say.

const widths: Partial<Record<DataType, number>> = { [DataType.FLOAT]: 4, [DataType.DOUBLE]: 8, [DataType.INT64]: 8, [DataType.INT32]: 4, [DataType.UINT8]: 1, [DataType.INT8]: 1, [DataType.BOOL]: 1 };

const valid: TensorValue[] = [
  { dataType: DataType.FLOAT, dims: [3, 4], data: Float32Array.from({ length: 12 }, (_, i) => i - 5.5) },
  { dataType: DataType.DOUBLE, dims: [], data: Float64Array.from([Math.PI]) },
  { dataType: DataType.INT64, dims: [5], data: BigInt64Array.from([0n, 1n, 4n, 2n, 3n]) },
  { dataType: DataType.INT32, dims: [2, 0, 3], data: new Int32Array(0) },
  { dataType: DataType.UINT8, dims: [2, 2, 2], data: Uint8Array.from([0, 1, 2, 3, 250, 251, 252, 255]) },
  { dataType: DataType.BOOL, dims: [3], data: Uint8Array.from([1, 0, 1]) },
];

/** The same array as format 2.0 or 3.0 (a 4-byte header length). */
function asVersion(v1: Uint8Array, major: 2 | 3): Uint8Array {
  const headerLength = v1[8]! | (v1[9]! << 8);
  const out = new Uint8Array(v1.length + 2);
  out.set(v1.subarray(0, 6));
  out.set([major, 0], 6);
  new DataView(out.buffer).setUint32(8, headerLength, true);
  out.set(v1.subarray(10), 12);
  return out;
}

/** The header's text replaced (the data kept), the length field rewritten to match. */
function withHeader(bytes: Uint8Array, edit: (header: string) => string): Uint8Array {
  const len = bytes[8]! | (bytes[9]! << 8);
  const header = new TextDecoder('latin1').decode(bytes.subarray(10, 10 + len));
  const next = new TextEncoder().encode(edit(header));
  const out = new Uint8Array(10 + next.length + bytes.length - 10 - len);
  out.set(bytes.subarray(0, 8));
  new DataView(out.buffer).setUint16(8, next.length, true);
  out.set(next, 10);
  out.set(bytes.subarray(10 + len), 10 + next.length);
  return out;
}

const headerEdits: ReadonlyArray<[string, (h: string) => string]> = [
  ...["'<f2'", "'>f4'", "'|O'", "'<U3'", "'float32'", "''", "'<i8 '", "'<c8'", "'<u8'", "[('a', '<f4')]", '3', 'True'].map((d): [string, (h: string) => string] => [`descr ${d}`, (h) => h.replace(/'descr': ('[^']*'|\[[^\]]*\])/, `'descr': ${d}`)]),
  ...['True', "'False'", '0', 'None', "''"].map((f): [string, (h: string) => string] => [`fortran_order ${f}`, (h) => h.replace(/'fortran_order': \w+/, `'fortran_order': ${f}`)]),
  ...['(-1,)', '(3, -4)', '(1e20,)', '(9007199254740993,)', '(4294967296, 4294967296)', '(2**40,)', '(a,)', '(3.5,)', '(,)', '((3,),)', '[3, 4]', "'3'", '(' + '1, '.repeat(70) + ')', '(3 4)', '(3,,4)'].map((s): [string, (h: string) => string] => [`shape ${s.slice(0, 30)}`, (h) => h.replace(/'shape': \([^)]*\)/, `'shape': ${s}`)]),
  ['duplicate descr key', (h) => h.replace('{', "{'descr': '<f8', ")],
  ['extra key', (h) => h.replace('{', "{'extra': 1, ")],
  ['missing shape', (h) => h.replace(/'shape': \([^)]*\),?/, '')],
  ['missing descr', (h) => h.replace(/'descr': '[^']*',?/, '')],
  ['not a dict', (h) => h.replace('{', '[').replace('}', ']')],
  ['unterminated string', (h) => h.replace("'descr': '", "'descr': '<f4")],
  ['trailing garbage after the dict', (h) => h.replace(/}\s*$/, '} junk\n')],
  ['empty header', () => ''],
  ['python call', (h) => h.replace(/'shape': \([^)]*\)/, "'shape': __import__('os')")],
  ['escaped quote', (h) => h.replace("'descr': '", "'descr': '\\'")],
];

function mutants(): Mutant<Uint8Array>[] {
  const rng = fuzzRandom(20);
  const out: Mutant<Uint8Array>[] = [];
  for (const [i, value] of valid.entries()) {
    const v1 = formatNpy(value);
    const headerEnd = 10 + (v1[8]! | (v1[9]! << 8));
    const tag = (m: Mutant<Uint8Array>) => ({ ...m, name: `${DataType[value.dataType]} [${value.dims.join(',')}]: ${m.name}` });
    const files = [v1, asVersion(v1, 2), asVersion(v1, 3)];
    for (const [k, file] of files.entries()) out.push(tag({ name: `valid, format ${k + 1}.0`, input: file, expect: 'ok' }));
    // every byte of a .npy file matters: any cut is an error
    out.push(...truncations(v1, [6, 8, 10, headerEnd - 1, headerEnd, v1.length - 1, ...Array.from({ length: 8 }, (_, k) => 10 + k * 8)], 'error').map(tag));
    out.push(...truncations(files[1]!, [12, headerEnd + 2], 'error').map(tag));
    out.push(...integerFieldEdits(v1, 8, 2, 'header length (1.0)').map(tag));
    out.push(...integerFieldEdits(files[1]!, 8, 4, 'header length (2.0)').map(tag));
    for (const [major, minor] of [[0, 0], [1, 1], [4, 0], [9, 0], [2, 5], [255, 255]]) {
      const bad = v1.slice();
      bad[6] = major!;
      bad[7] = minor!;
      out.push(tag({ name: `version ${major}.${minor}`, input: bad, expect: 'error' }));
    }
    for (const [name, edit] of headerEdits) out.push(tag({ name: `header: ${name}`, input: withHeader(v1, edit) }));
    out.push(tag(appended(v1, [0], 'error')), tag(appended(v1, Array.from({ length: widths[value.dataType]! }, () => 7), 'error')));
    out.push(...bitFlips(v1, 12, rng, [0, headerEnd]).map(tag));
    out.push(...byteEdits(v1, 8, rng, [0, headerEnd]).map(tag));
    out.push(...chunkEdits(v1, 4, rng).map(tag));
    // flips in the data region keep a valid file: its values must be the new bytes exactly
    if (v1.length > headerEnd) out.push(...bitFlips(v1, 3, rng, [headerEnd, v1.length]).map((m) => tag({ ...m, expect: 'ok' as const })));
    if (i === 0) out.push({ name: 'random bytes with the magic', input: Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, ...Array.from({ length: 64 }, () => rng.int(256))]) });
  }
  return out;
}

/** An accepted file must hold exactly the data its header's shape says, byte for byte. */
function verify(input: Uint8Array, v: TensorValue): string | undefined {
  const headerLength = input[6] === 1 ? input[8]! | (input[9]! << 8) : new DataView(input.buffer, input.byteOffset).getUint32(8, true);
  const body = input.subarray((input[6] === 1 ? 10 : 12) + headerLength);
  const n = v.dims.reduce((a, b) => a * b, 1);
  if (v.data.length !== n) return `dims [${v.dims}] but ${v.data.length} elements`;
  const bytes = new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength);
  if (bytes.length !== body.length || bytes.some((b, k) => b !== body[k])) return `the data (${bytes.length} bytes) is not the file's ${body.length} data bytes`;
  return undefined;
}

describe('.npy fuzz', () => {
  it('every malformed file gives a DataError naming it, every valid one its exact bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npy-fuzz-'));
    const file = join(dir, 'case.npy');
    const cases = mutants();
    const report = await runFuzz(
      {
        format: '.npy (readNpy)',
        run: (bytes) => {
          writeFileSync(file, bytes);
          return readNpy(file);
        },
        typed: namesFile([DataError], () => file),
        verify,
        timeoutMs: 2000,
      },
      cases,
    );
    console.log(fuzzSummary(report));
    expect(report.total).toBeGreaterThan(300);
    expect(report.failures, fuzzSummary(report)).toEqual([]);
  });
});
