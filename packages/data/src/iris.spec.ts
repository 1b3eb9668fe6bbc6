import { describe, expect, it } from 'vitest';
import { loadIris } from './iris.js';
import { classCounts } from './labels.js';

describe('loadIris', () => {
  it('has 150 rows of 4 features and 50 examples of each of 3 classes', () => {
    const iris = loadIris();
    expect(iris.x.dims).toEqual([150, 4]);
    expect(iris.y.dims).toEqual([150]);
    expect(iris.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(iris.featureNames).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect(classCounts(iris)).toEqual([50, 50, 50]);
    // first rows of Fisher's table: 5.1 3.5 1.4 0.2 setosa; row 51: 7.0 3.2 4.7 1.4 versicolor
    expect(Array.from((iris.x.data as Float32Array).subarray(0, 4))).toEqual([5.1, 3.5, 1.4, 0.2].map(Math.fround));
    expect(Array.from((iris.x.data as Float32Array).subarray(200, 204))).toEqual([7.0, 3.2, 4.7, 1.4].map(Math.fround));
    const y = iris.y.data as BigInt64Array;
    expect([y[0], y[50], y[149]]).toEqual([0n, 1n, 2n]);
  });
});
