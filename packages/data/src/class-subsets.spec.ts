import { describe, expect, it } from 'vitest';
import { DataType } from '@anneal/onnx';
import { samplePerClass, selectClasses } from './class-subsets.js';
import { DataError } from './errors.js';
import { classCounts } from './labels.js';
import { loadMnist } from './mnist.js';

const toy = () => ({
  x: { dataType: DataType.FLOAT, dims: [8, 1], data: Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]) },
  y: { dataType: DataType.INT64, dims: [8], data: BigInt64Array.from([3n, 1n, 3n, 2n, 1n, 3n, 0n, 2n]) },
});

describe('selectClasses', () => {
  it('keeps the rows of the named classes in order and relabels them by position', () => {
    const s = selectClasses(toy(), [3, 1]);
    expect(Array.from(s.x.data as Float32Array)).toEqual([0, 1, 2, 4, 5]);
    expect(Array.from(s.y.data as BigInt64Array, Number)).toEqual([0, 1, 0, 1, 0]);
  });
  it('rejects absent or repeated classes', () => {
    expect(() => selectClasses(toy(), [9])).toThrow(/classes \[9\] have no examples/);
    expect(() => selectClasses(toy(), [1, 1])).toThrow(DataError);
  });
  it('makes MNIST digits 5-9 a 5-class task', () => {
    const upper = selectClasses(loadMnist({ perDigit: 20 }), [5, 6, 7, 8, 9]);
    expect(classCounts(upper)).toEqual([20, 20, 20, 20, 20]);
  });
});

describe('samplePerClass', () => {
  it('draws exactly k per class, seeded', () => {
    const mnist = loadMnist({ perDigit: 30 });
    const a = samplePerClass(mnist, 5, 1);
    expect(classCounts(a)).toEqual(Array(10).fill(5));
    expect(Array.from(samplePerClass(mnist, 5, 1).x.data as Float32Array)).toEqual(Array.from(a.x.data as Float32Array));
    expect(Array.from(samplePerClass(mnist, 5, 2).x.data as Float32Array)).not.toEqual(Array.from(a.x.data as Float32Array));
  });
  it('names a class that is too small', () => {
    expect(() => samplePerClass(toy(), 3)).toThrow(/class 1 has only 2 examples.*class 2 has only 2.*class 0 has only 1|class \d has only/);
  });
});
