import { describe, expect, it } from 'vitest';
import { DataType, type TensorValue } from '@anneal/onnx';
import { dataTypeOf, fromOrtTensor, ortTypeOf, toOrtTensor } from './tensor-convert.js';
import { TensorMismatchError, UnsupportedDtypeError } from './errors.js';

const cases: Array<[string, TensorValue]> = [
  ['float32', { dataType: DataType.FLOAT, dims: [2, 2], data: new Float32Array([1, -2, 3.5, 4]) }],
  ['float64', { dataType: DataType.DOUBLE, dims: [3], data: new Float64Array([1e-300, 2, Math.PI]) }],
  ['int64', { dataType: DataType.INT64, dims: [2], data: new BigInt64Array([-(2n ** 62n), 7n]) }],
  ['int32', { dataType: DataType.INT32, dims: [1, 2], data: new Int32Array([-5, 9]) }],
  ['bool', { dataType: DataType.BOOL, dims: [3], data: new Uint8Array([1, 0, 1]) }],
  ['uint8', { dataType: DataType.UINT8, dims: [], data: new Uint8Array([255]) }],
];

describe('TensorValue <-> ORT tensor', () => {
  it.each(cases)('maps %s both ways without copying the data', (ortType, value) => {
    const t = toOrtTensor(value);
    expect(t.type).toBe(ortType);
    expect(t.dims).toEqual(value.dims);
    expect(t.data).toBe(value.data); // same typed array, no copy
    const back = fromOrtTensor(t);
    expect(back.dataType).toBe(value.dataType);
    expect(back.dims).toEqual(value.dims);
    expect(back.data).toBe(value.data);
  });

  it('maps type names both ways', () => {
    expect(ortTypeOf(DataType.INT64)).toBe('int64');
    expect(dataTypeOf('bool')).toBe(DataType.BOOL);
    expect(() => dataTypeOf('string', "tensor 'names'")).toThrow(UnsupportedDtypeError);
  });

  it('rejects data of the wrong array type or length with typed errors naming the tensor', () => {
    expect(() => toOrtTensor({ dataType: DataType.INT64, dims: [2], data: new Int32Array(2) }, 'step')).toThrow(/tensor 'step' is declared INT64 but its data is a Int32Array/);
    expect(() => toOrtTensor({ dataType: DataType.FLOAT, dims: [2, 3], data: new Float32Array(5) }, 'w')).toThrow(TensorMismatchError);
    expect(() => toOrtTensor({ dataType: DataType.COMPLEX64, dims: [1], data: new Float32Array(2) }, 'z')).toThrow(UnsupportedDtypeError);
  });
});
