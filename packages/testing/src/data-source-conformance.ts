import type { ArrayDataset, DataSourceContext, DataSourceDescriptor } from '@anneal/data';
import { DataType, type TensorValue } from '@anneal/onnx';
import { expect } from 'vitest';
import { comparable, withTempDirs, writeFiles } from './conformance-utils.js';
import { describeChecks, descriptorContractChecks, noNestedSpecs, optionLabel, parseOptions, type ConformanceCheck } from './descriptor-contract.js';

/** Inputs of {@link describeDataSourceConformance}. */
export interface DataSourceConformanceCases {
  /** Option sets the schema must accept; every check runs on each. */
  readonly valid: readonly unknown[];
  /** Option sets the schema must reject. */
  readonly invalid: readonly unknown[];
  /**
   * Files the valid option sets name by relative path, by path: written into a fresh temporary
   * folder that is the context's `baseDir` (never the working directory).
   */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  /** The context's `image` (default false). */
  readonly image?: boolean;
  /** When given, every label must be a class id below it (int64 labels). */
  readonly classes?: number;
}

function expectDense(t: TensorValue, what: string): void {
  expect(t.dims.length, `${what} has no batch axis (dims [${t.dims.join(', ')}])`).toBeGreaterThanOrEqual(1);
  expect(t.data.length, `${what}: ${t.data.length} values for dims [${t.dims.join(', ')}]`).toBe(t.dims.reduce((a, b) => a * b, 1));
}

/** The consistency every dataset needs before it reaches a loader. */
function expectConsistent(ds: ArrayDataset, classes: number | undefined): void {
  expectDense(ds.x, 'x');
  expectDense(ds.y, 'y');
  const n = ds.x.dims[0]!;
  expect(n, 'the dataset is empty').toBeGreaterThan(0);
  expect(ds.y.dims[0], `x has ${n} rows, y ${ds.y.dims[0]}`).toBe(n);
  expect(ds.x.dims.length, 'x needs per-example dims after the batch axis ([N, features] or [N, C, H, W])').toBeGreaterThanOrEqual(2);
  expect(ds.x.dataType, 'x must be float32 (DataType.FLOAT)').toBe(DataType.FLOAT);
  const bad = (ds.x.data as Float32Array).findIndex((v) => !Number.isFinite(v));
  expect(bad, `x[${bad}] is ${ds.x.data[bad]}: features must be finite`).toBe(-1);
  if (ds.y.dataType === DataType.INT64) {
    expect(ds.y.dims.length, 'int64 labels are class ids of shape [N]').toBe(1);
    for (const v of ds.y.data as BigInt64Array) {
      expect(v >= 0n, `label ${v} is negative; class ids start at 0`).toBe(true);
      if (classes !== undefined) expect(v < BigInt(classes), `label ${v} is not below the ${classes} classes`).toBe(true);
    }
  } else {
    expect(ds.y.dataType, 'labels must be int64 class ids or float32 targets').toBe(DataType.FLOAT);
    const badY = (ds.y.data as Float32Array).findIndex((v) => !Number.isFinite(v));
    expect(badY, `y[${badY}] is not finite`).toBe(-1);
  }
}

/** The checks {@link describeDataSourceConformance} runs. */
export function dataSourceConformanceChecks<O>(descriptor: DataSourceDescriptor<O>, cases: DataSourceConformanceCases): ConformanceCheck[] {
  const files = cases.files ?? {};
  const hasFiles = Object.keys(files).length > 0;
  const context = (baseDir: string): DataSourceContext => ({ path: 'data.source', build: noNestedSpecs('data source'), baseDir, image: cases.image ?? false });
  /** A dataset made in a fresh folder holding the case's files. */
  const load = async (options: unknown, temp: () => string, withFiles = true): Promise<ArrayDataset> => {
    const dir = temp();
    if (withFiles) writeFiles(dir, files);
    return descriptor.create(parseOptions(descriptor, options), context(dir));
  };

  const checks = descriptorContractChecks<ArrayDataset>(descriptor, {
    kind: 'data-source',
    valid: cases.valid,
    invalid: cases.invalid,
    create: (options) =>
      withTempDirs('data-source', async (temp) => {
        const dir = temp();
        writeFiles(dir, files);
        return descriptor.create(options as O, context(dir));
      }),
    independence: {
      // writing into one dataset's arrays must not show in the next: a source must not hand out a cache
      use: (ds) => {
        (ds.x.data as Float32Array).fill(-7);
        if (ds.y.data instanceof BigInt64Array) ds.y.data.fill(0n);
        else (ds.y.data as Float32Array).fill(0);
      },
      observe: (ds) => comparable(ds, []),
    },
  });
  cases.valid.forEach((options, k) => {
    const label = optionLabel(options, k);
    checks.push(
      {
        title: `${label}: gives a consistent dataset (rows of x and y match, > 0; finite float32 features; int64 class ids >= 0 or finite float targets)`,
        run: () => withTempDirs('data-source', async (temp) => expectConsistent(await load(options, temp), cases.classes)),
      },
      {
        title: `${label}: is deterministic: two creates give the same dataset`,
        run: () =>
          withTempDirs('data-source', async (temp) => {
            const [a, b] = [await load(options, temp), await load(options, temp)];
            expect(comparable(b, []), 'a second create gave other data').toEqual(comparable(a, []));
          }),
      },
    );
    if (hasFiles) {
      checks.push({
        title: `${label}: resolves relative paths against the context's baseDir (not the working directory)`,
        run: () =>
          withTempDirs('data-source', async (temp) => {
            const a = await load(options, temp);
            const elsewhere = await load(options, temp);
            expect(comparable(elsewhere, []), 'the same files under another baseDir gave other data').toEqual(comparable(a, []));
            let failed = false;
            try {
              await load(options, temp, false);
            } catch {
              failed = true;
            }
            expect(failed, `with the files missing from baseDir the source still loaded (it read ${Object.keys(files).join(', ')} from somewhere else)`).toBe(true);
          }),
      });
    }
  });
  return checks;
}

/**
 * Declares vitest blocks that check a data-source descriptor against the plugin contract and,
 * for every valid option set: the dataset is consistent (x and y rows match and are > 0, dense
 * data, finite float32 features, int64 class ids >= 0 (below `classes` when given) or finite
 * float targets); two creates give the same data and share no arrays; with `files`, relative
 * paths are resolved against the context's `baseDir`: the same files in another folder give the
 * same data, and a folder without them fails.
 *
 * @example
 * ```ts
 * // my-source.spec.ts
 * import { describeDataSourceConformance } from '@anneal/testing';
 * describeDataSourceConformance(parquetSource, { valid: [{ path: 'tiny.parquet', label: 'y' }], invalid: [{}], files: { 'tiny.parquet': bytes } });
 * ```
 */
export function describeDataSourceConformance<O>(descriptor: DataSourceDescriptor<O>, cases: DataSourceConformanceCases): void {
  describeChecks(`data source conformance: ${descriptor.id}`, dataSourceConformanceChecks(descriptor, cases));
}
