import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType } from '@anneal/onnx';
import { loadCsv } from './csv.js';
import { DataError } from './errors.js';

const dir = mkdtempSync(join(tmpdir(), 'csv-')); // each file gets its own subfolder, so names can repeat
function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(dir, 'f-')), name);
  writeFileSync(path, text);
  return path;
}
const ints = (v: { data: unknown }) => Array.from(v.data as BigInt64Array, Number);
const floats = (v: { data: unknown }) => Array.from(v.data as Float32Array);

describe('loadCsv', () => {
  const iris = file(
    'iris.csv',
    ['sepal_length,sepal_width,species,petal_width', '5.1,3.5,setosa,0.2', '', '7.0,3.2,versicolor,1.4', '6.3, 3.3 ,virginica,2.5', '4.9,3.0,setosa,0.2', ''].join('\n'),
  );

  it('reads features and turns text labels into class ids in sorted order of names', () => {
    const ds = loadCsv(iris, { label: 'species' });
    expect(ds.featureNames).toEqual(['sepal_length', 'sepal_width', 'petal_width']);
    expect(ds.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(ds.x.dims).toEqual([4, 3]);
    expect(floats(ds.x)).toEqual([5.1, 3.5, 0.2, 7.0, 3.2, 1.4, 6.3, 3.3, 2.5, 4.9, 3.0, 0.2].map(Math.fround));
    expect(ds.y.dataType).toBe(DataType.INT64);
    expect(ints(ds.y)).toEqual([0, 1, 2, 0]);
  });
  it('selects and orders feature columns by name or index', () => {
    const ds = loadCsv(iris, { label: 2, features: ['petal_width', 0] });
    expect(ds.featureNames).toEqual(['petal_width', 'sepal_length']);
    expect(floats(ds.x)).toEqual([0.2, 5.1, 1.4, 7.0, 2.5, 6.3, 0.2, 4.9].map(Math.fround));
  });
  it('reads files without a header, with another delimiter and numeric labels', () => {
    const path = file('plain.csv', '1;2;1\n3;4;0\n5;6;3\n');
    const ds = loadCsv(path, { label: 2, header: false, delimiter: ';' });
    expect(ds.featureNames).toEqual(['column 0', 'column 1']);
    expect(ds.classes).toBeUndefined();
    expect(floats(ds.x)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ints(ds.y)).toEqual([1, 0, 3]);
    const reg = loadCsv(file('reg.csv', 'a,target\n1,0.5\n2,-1.25\n'), { label: 'target', labelType: 'float' });
    expect(reg.y.dataType).toBe(DataType.FLOAT);
    expect(floats(reg.y)).toEqual([0.5, -1.25]);
  });
  it('names the file, line and column of a bad cell', () => {
    const bad = file('iris.csv', ['a,b,species,petal_width', ...Array.from({ length: 10 }, () => '1,2,setosa,0.2'), '1,2,setosa,abc'].join('\n'));
    expect(() => loadCsv(bad, { label: 'species' })).toThrow(DataError);
    expect(() => loadCsv(bad, { label: 'species' })).toThrow(/iris\.csv: line 12, column 'petal_width': 'abc' is not a number/);
    const gap = file('gap.csv', 'a,b\n1,0\n,1\n');
    expect(() => loadCsv(gap, { label: 'b' })).toThrow(/gap\.csv: line 3, column 'a': '' is not a number/);
    const noHeader = file('nh.csv', '1,2\nx,3\n');
    expect(() => loadCsv(noHeader, { label: 1, header: false })).toThrow(/nh\.csv: line 2, column 0: 'x' is not a number/);
  });
  it('rejects bad labels, unknown columns, ragged lines and empty files', () => {
    expect(() => loadCsv(file('frac.csv', 'a,y\n1,0\n2,1.5\n'), { label: 'y' })).toThrow(/frac\.csv: line 3, column 'y': label '1\.5' is not a class id .*labelType 'float'/);
    expect(() => loadCsv(file('neg.csv', 'a,y\n1,-1\n'), { label: 'y' })).toThrow(/label '-1' is not a class id/);
    expect(() => loadCsv(file('empty-label.csv', 'a,y\n1,cat\n2,\n'), { label: 'y' })).toThrow(/line 3, column 'y': the label is empty/);
    expect(() => loadCsv(file('text-target.csv', 'a,y\n1,cat\n'), { label: 'y', labelType: 'float' })).toThrow(/line 2, column 'y': 'cat' is not a number/);
    expect(() => loadCsv(iris, { label: 'kind' })).toThrow(/label column 'kind' is not in the header; columns are 'sepal_length', 'sepal_width', 'species', 'petal_width'/);
    expect(() => loadCsv(iris, { label: 7 })).toThrow(/label column 7 does not exist; the file has 4 columns/);
    expect(() => loadCsv(iris, { label: 'species', features: ['species'] })).toThrow(/is also listed as a feature/);
    expect(() => loadCsv(file('ragged.csv', 'a,b\n1,2\n3\n'), { label: 'b' })).toThrow(/ragged\.csv: not valid CSV: .*line 3/);
    expect(() => loadCsv(file('header-only.csv', 'a,b\n'), { label: 'b' })).toThrow(/dataset is empty/);
    expect(() => loadCsv(join(dir, 'missing.csv'), { label: 0 })).toThrow(/missing\.csv: cannot read/);
  });
});
