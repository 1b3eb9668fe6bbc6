import { readText } from '#files';
// csv-parse's Node build uses Buffer; pages get its browser build (package.json "imports").
import { parse } from '#csv-parse';
import { DataType } from '@anneal/onnx';
import { DataError } from './errors.js';
import { int64Labels, type ArrayDataset } from './array-dataset.js';
import { classCount } from './labels.js';

/** Options of `loadCsv`. Columns are named by header name or by 0-based index. */
export interface CsvOptions {
  /** The label column. */
  label: string | number;
  /** Feature columns in this order; default: every column but the label, in file order. */
  features?: (string | number)[];
  /** Whether the first line names the columns (default true). */
  header?: boolean;
  /** Field delimiter (default ','). */
  delimiter?: string;
  /** int64 class ids (default) or float32 regression targets. */
  labelType?: 'int64' | 'float';
}

/** A dataset read from CSV, with its feature names and, for text labels, the class names. */
export type CsvDataset = ArrayDataset & { featureNames: string[]; classes?: string[] };

type Row = { record: string[]; info: { lines: number } };

function readRows(path: string, delimiter: string): Row[] {
  let text: string;
  try {
    text = readText(path);
  } catch (e) {
    throw new DataError(path, `cannot read: ${(e as Error).message}`);
  }
  try {
    return parse(text, { delimiter, skip_empty_lines: true, trim: true, bom: true, info: true }) as unknown as Row[];
  } catch (e) {
    throw new DataError(path, `not valid CSV: ${(e as Error).message}; every line needs the same number of ${JSON.stringify(delimiter)}-separated fields`);
  }
}

function asNumber(s: string): number | undefined {
  if (s === '') return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

/**
 * Reads a CSV file (parsed by csv-parse) into x float32 [N, F] and y: int64 class ids or, with
 * `labelType: 'float'`, float32 targets [N]. Numeric labels are used as they are (whole numbers
 * >= 0 for int64); text labels become class ids in sorted order of the class names (`classes`).
 * Errors name the file, the line and the column of the offending cell.
 * @example const ds = loadCsv('iris.csv', { label: 'species' }); // ds.classes = ['setosa', 'versicolor', 'virginica']
 */
export function loadCsv(path: string, options: CsvOptions): CsvDataset {
  const header = options.header ?? true;
  const rows = readRows(path, options.delimiter ?? ',');
  if (rows.length === 0) throw new DataError(path, 'dataset is empty (the file has no lines); give a header and at least one data row');
  const width = rows[0]!.record.length;
  const names = header ? rows[0]!.record : Array.from({ length: width }, (_, i) => `column ${i}`);
  const data = header ? rows.slice(1) : rows;
  const describe = (c: number) => (header ? `'${names[c]}'` : `${c}`);
  const resolve = (ref: string | number, role: string): number => {
    if (typeof ref === 'number') {
      if (Number.isInteger(ref) && ref >= 0 && ref < width) return ref;
      throw new DataError(path, `${role} column ${ref} does not exist; the file has ${width} columns (0..${width - 1})`);
    }
    if (!header) throw new DataError(path, `${role} column '${ref}' is a name but header is false; use a 0-based column index`);
    const c = names.indexOf(ref);
    if (c < 0) throw new DataError(path, `${role} column '${ref}' is not in the header; columns are ${names.map((n) => `'${n}'`).join(', ')}`);
    return c;
  };
  const labelCol = resolve(options.label, 'label');
  const featureCols = options.features ? options.features.map((f) => resolve(f, 'feature')) : names.map((_, i) => i).filter((i) => i !== labelCol);
  if (featureCols.includes(labelCol)) throw new DataError(path, `the label column ${describe(labelCol)} is also listed as a feature; remove it from features`);
  if (featureCols.length === 0) throw new DataError(path, 'no feature columns; the file needs at least one column besides the label');
  if (data.length === 0) throw new DataError(path, 'dataset is empty (no data rows after the header); add at least one row');

  const f = featureCols.length;
  const x = new Float32Array(data.length * f);
  const rawLabels: string[] = [];
  data.forEach(({ record, info }, r) => {
    featureCols.forEach((c, j) => {
      const v = asNumber(record[c]!);
      if (v === undefined) throw new DataError(path, `line ${info.lines}, column ${describe(c)}: '${record[c]}' is not a number; fix or drop the row, or leave the column out of features`);
      x[r * f + j] = v;
    });
    if (record[labelCol] === '') throw new DataError(path, `line ${info.lines}, column ${describe(labelCol)}: the label is empty; every row needs a label`);
    rawLabels.push(record[labelCol]!);
  });

  const out = { x: { dataType: DataType.FLOAT, dims: [data.length, f], data: x }, featureNames: featureCols.map((c) => names[c]!) };
  const numeric = rawLabels.map(asNumber);
  if (options.labelType === 'float') {
    const bad = numeric.indexOf(undefined);
    if (bad >= 0) throw new DataError(path, `line ${data[bad]!.info.lines}, column ${describe(labelCol)}: '${rawLabels[bad]}' is not a number; regression targets (labelType 'float') must be numeric`);
    return { ...out, y: { dataType: DataType.FLOAT, dims: [data.length], data: Float32Array.from(numeric as number[]) } };
  }
  if (numeric.every((v) => v !== undefined)) {
    const bad = numeric.findIndex((v) => !Number.isInteger(v) || v! < 0);
    if (bad >= 0) throw new DataError(path, `line ${data[bad]!.info.lines}, column ${describe(labelCol)}: label '${rawLabels[bad]}' is not a class id (a whole number >= 0); use labelType 'float' for regression targets`);
    classCount(numeric as number[], path, (row) => `line ${data[row]!.info.lines}, column ${describe(labelCol)}`);
    return { ...out, y: int64Labels(numeric as number[]) };
  }
  const classes = [...new Set(rawLabels)].sort();
  const index = new Map(classes.map((c, i) => [c, i]));
  return { ...out, y: int64Labels(rawLabels.map((l) => index.get(l)!)), classes };
}
