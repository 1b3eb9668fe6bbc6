import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType } from '@anneal/onnx';
import { charEdits, fuzzRandom, fuzzSummary, lineEdits, namesFile, runFuzz, textTruncations, tokenReplacements, type Mutant } from '@anneal/testing/fuzz';
import { builtinDataSources } from './data-sources.js';
import { DataError } from './errors.js';
import { loadCsv, type CsvDataset } from './csv.js';
import { formatNpy } from './npy.js';
import { classCounts, MAX_CLASSES, MIN_CLASS_BOUND } from './labels.js';

// Malformed CSV files and label files: each must give a DataError naming the file, or a dataset
// whose features are finite numbers and whose labels are class ids >= 0 with a class count
// bounded by the data (max(1000, 10 x distinct labels)): never -1 taken as the last class, never
// a class count of 1e9.

const rows = Array.from({ length: 12 }, (_, i) => [((i * 7) % 10) / 4, Math.cos(i).toFixed(3), i % 3]);
const numeric = 'width,height,label\n' + rows.map((r) => r.join(',')).join('\n') + '\n';
const named = 'width,height,species\n' + rows.map((r) => `${r[0]},${r[1]},${['setosa', 'versicolor', 'virginica'][r[2] as number]}`).join('\n') + '\n';

const LABELS = ['-1', '-0', '1e9', '1000000000', '1099511627776', '2.5', 'NaN', 'Infinity', '', ' 3', '0x10', '1e3', '999', '1000', '"2"', '3,4', 'setosa'];
const CELLS = ['', 'abc', 'NaN', '1e400', '-Infinity', '0x1f', '1,5', '"', '""', '1 2'];

function mutants(text: string): Mutant<string>[] {
  const rng = fuzzRandom(text.length);
  const labelCells = /(?<=,)[^,\n]+(?=\n)/g;
  const featureCells = /(?<=\n)[^,\n]+(?=,)/g;
  return [
    { name: 'valid', input: text, expect: 'ok' },
    ...textTruncations(text, 30),
    ...charEdits(text, 60, rng),
    ...lineEdits(text, 30, rng),
    ...tokenReplacements(text, labelCells, LABELS, rng, 60),
    ...tokenReplacements(text, featureCells, CELLS, rng, 30),
    { name: 'header only', input: text.split('\n')[0]! + '\n' },
    { name: 'empty file', input: '' },
    { name: 'a BOM and CRLF line ends', input: '\ufeff' + text.replace(/\n/g, '\r\n'), expect: 'ok' },
    { name: 'an extra column in one row', input: text.replace(/\n(.*)\n/, '\n$1,7\n') },
    { name: 'a missing column in one row', input: text.replace(/\n[^,\n]*,/, '\n') },
    { name: 'duplicate header names', input: text.replace(/^(\w+),(\w+)/, '$1,$1') },
    { name: 'unbalanced quote', input: text.replace(',', ',"') },
    { name: 'semicolons', input: text.replace(/,/g, ';') },
  ];
}

/** An accepted dataset: finite features, class ids >= 0 whose count the bound allows, one row per data line. */
function verify(text: string, ds: CsvDataset): string | undefined {
  const [n, f] = ds.x.dims as [number, number];
  const lines = text.split(/\r?\n/).filter((l) => l.trim()).length;
  if (n > lines - 1 || f < 1) return `x is [${n}, ${f}] for ${lines} non-empty lines`;
  if ((ds.x.data as Float32Array).some((v) => !Number.isFinite(v))) return 'a feature is not finite';
  if (ds.y.dataType !== DataType.INT64 || ds.y.data.length !== n) return 'labels are not one int64 per row';
  const ids = Array.from(ds.y.data as BigInt64Array, Number);
  if (ids.some((v) => v < 0)) return `a negative class id was accepted (${Math.min(...ids)})`;
  const k = Math.max(...ids) + 1;
  if (k > Math.max(MIN_CLASS_BOUND, 10 * new Set(ids).size)) return `a class count of ${k} was accepted`;
  return undefined;
}

describe('CSV and labels fuzz', () => {
  it('every malformed CSV gives a DataError naming the file, every accepted one a sound dataset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csv-fuzz-'));
    try {
      const file = join(dir, 'data.csv');
      const cases = [...mutants(numeric).map((m) => ({ ...m, name: `numeric labels: ${m.name}`, input: { text: m.input, label: 'label' } })), ...mutants(named).map((m) => ({ ...m, name: `text labels: ${m.name}`, input: { text: m.input, label: 'species' } }))];
      const report = await runFuzz(
        {
          format: 'CSV (loadCsv)',
          run: ({ text, label }) => {
            writeFileSync(file, text);
            return loadCsv(file, { label });
          },
          typed: namesFile([DataError], () => file),
          verify: ({ text }, ds) => verify(text, ds),
          timeoutMs: 2000,
        },
        cases,
      );
      console.log(fuzzSummary(report));
      expect(report.total).toBeGreaterThan(300);
      expect(report.failures, fuzzSummary(report)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every label file of the npy data source gives class ids >= 0 with a bounded class count, or a DataError naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labels-fuzz-'));
    try {
      const npy = builtinDataSources.find((d) => d.id === 'npy')!;
      const x = join(dir, 'x.npy');
      const y = join(dir, 'y.npy');
      const n = 20;
      writeFileSync(x, formatNpy({ dataType: DataType.FLOAT, dims: [n, 2], data: Float32Array.from({ length: 2 * n }, (_, i) => i) }));
      const rng = fuzzRandom(11);
      const base = Array.from({ length: n }, (_, i) => i % 4);
      const odd = [-1, -2, 1e9, 2 ** 31 - 1, 999, 1000, 2 ** 40, -(2 ** 40), 2 ** 62];
      type Labels = { dataType: DataType; values: number[] };
      const cases: Mutant<Labels>[] = [];
      for (const dataType of [DataType.INT64, DataType.INT32, DataType.INT8, DataType.UINT8, DataType.FLOAT, DataType.DOUBLE]) {
        cases.push({ name: `${DataType[dataType]} labels 0..3`, input: { dataType, values: base }, expect: 'ok' });
        for (const v of odd) for (const row of [0, 7, n - 1]) cases.push({ name: `${DataType[dataType]}: ${v} at row ${row}`, input: { dataType, values: base.map((b, i) => (i === row ? v : b)) } });
        for (let k = 0; k < 6; k++) cases.push({ name: `${DataType[dataType]}: random ids below ${10 ** k}`, input: { dataType, values: base.map(() => rng.int(10 ** k)) } });
      }
      for (const v of [0.5, NaN, Infinity, -0.5]) cases.push({ name: `FLOAT: ${v} at row 3`, input: { dataType: DataType.FLOAT, values: base.map((b, i) => (i === 3 ? v : b)) } });
      const encode = ({ dataType, values }: Labels): Uint8Array => {
        const data =
          dataType === DataType.INT64
            ? BigInt64Array.from(values, (v) => BigInt(Math.trunc(v)))
            : dataType === DataType.INT32
              ? Int32Array.from(values)
              : dataType === DataType.INT8
                ? Int8Array.from(values)
                : dataType === DataType.UINT8
                  ? Uint8Array.from(values)
                  : dataType === DataType.FLOAT
                    ? Float32Array.from(values)
                    : Float64Array.from(values);
        return formatNpy({ dataType, dims: [values.length], data });
      };
      const report = await runFuzz(
        {
          format: 'labels (.npy data source + classCounts)',
          run: async (labels) => {
            writeFileSync(y, encode(labels));
            const ds = await npy.create({ x, y }, { baseDir: dir, image: false, path: 'data.source', build: () => undefined } as never);
            return { ds, counts: classCounts(ds, undefined, y) };
          },
          typed: namesFile([DataError], () => y),
          verify: (labels, { ds, counts }) => {
            if (ds.y.dataType !== DataType.INT64 && labels.dataType !== DataType.FLOAT && labels.dataType !== DataType.DOUBLE) return `integer labels came out as ${DataType[ds.y.dataType]}, not int64`;
            const stored = Array.from(ds.y.data as ArrayLike<number | bigint>, Number);
            if (stored.some((v) => v < 0)) return 'a negative label was accepted';
            if (counts.length > Math.min(MAX_CLASSES, Math.max(MIN_CLASS_BOUND, 10 * new Set(stored).size))) return `${counts.length} classes were accepted`;
            if (counts.reduce((a, b) => a + b, 0) !== n) return 'class counts do not add up to the rows';
            return undefined;
          },
          timeoutMs: 2000,
        },
        cases,
      );
      console.log(fuzzSummary(report));
      expect(report.total).toBeGreaterThan(200);
      expect(report.failures, fuzzSummary(report)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
