import { describeDataSourceConformance, type DataSourceConformanceCases } from '@anneal/testing';
import { DataType } from '@anneal/onnx';
import { describe, expect, it } from 'vitest';
import { builtinDataSources, formatNpy } from './index.js';

/** Every built-in data source through the data-source conformance suite. */

const csv = ['sepal,petal,width,species', '5.1,1.4,0.2,setosa', '7.0,4.7,1.4,versicolor', '6.3,6.0,2.5,virginica', '4.9,1.5,0.1,setosa', '5.8,4.1,1.0,versicolor'].join('\n');
const noHeader = ['1;0.5;2', '0;1.5;-1', '2;0;0.25'].join('\n');
const x = { dataType: DataType.FLOAT, dims: [4, 3], data: Float32Array.from({ length: 12 }, (_, i) => i / 4 - 1) };

const SOURCES: Record<string, DataSourceConformanceCases> = {
  // each MNIST create parses the package's ten digit files (~0.4 s): one option set that uses every option
  mnist: { valid: [{ image: true, perDigit: 3, digits: [7, 1] }], invalid: [{ perDigit: 0 }, { digits: [3] }, { digits: [10, 1] }], classes: 10 },
  iris: { valid: [{}], invalid: [{ path: 'iris.csv' }], classes: 3 },
  csv: {
    valid: [{ path: 'data/flowers.csv', label: 'species' }, { path: 'data/flowers.csv', label: 3, features: ['petal', 0] }, { path: 'plain.csv', label: 0, header: false, delimiter: ';' }],
    invalid: [{ label: 'species' }, { path: '', label: 0 }, { path: 'a.csv', label: -1 }],
    files: { 'data/flowers.csv': csv, 'plain.csv': noHeader },
    classes: 3,
  },
  npy: {
    valid: [{ x: 'x.npy', y: 'labels/y-int32.npy' }, { x: 'x.npy', y: 'labels/y-float.npy' }],
    invalid: [{ x: 'x.npy' }, { x: '', y: 'y.npy' }],
    files: {
      'x.npy': formatNpy(x),
      'labels/y-int32.npy': formatNpy({ dataType: DataType.INT32, dims: [4], data: Int32Array.of(0, 2, 1, 2) }),
      'labels/y-float.npy': formatNpy({ dataType: DataType.FLOAT, dims: [4], data: Float32Array.of(0.5, -1, 2, 0) }),
    },
  },
};

describe('data-source conformance of the built-ins', () => {
  it('covers every built-in data source', () => {
    expect(Object.keys(SOURCES).sort()).toEqual(builtinDataSources.map((d) => d.id).sort());
  });
});

for (const d of builtinDataSources) if (SOURCES[d.id]) describeDataSourceConformance(d, SOURCES[d.id]!);
