import { exportDescriptors, type KindSource } from './kind-source.js';

/** A CSV of numbers whose last column is the class id. */
export const dataSource: KindSource = {
  package: '@anneal/data',
  helper: 'defineDataSource',
  suite: 'describeDataSourceConformance',
  uses: ['@anneal/onnx'],
  index: (n) => `import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineDataSource } from '@anneal/data';
import { DataType } from '@anneal/onnx';
import { z } from 'zod';

/**
 * Rows of comma-separated numbers, the last one the class id (0, 1, ...). \`path\` is relative to
 * the run's base folder (the context's \`baseDir\`), as every data source's paths are.
 */
export const ${n.constant} = defineDataSource({
  id: '${n.id}',
  description: 'comma-separated numbers per row, the last one a class id',
  options: z.strictObject({ path: z.string().min(1), skipHeader: z.boolean().default(false) }),
  create: (o, ctx) => {
    const lines = readFileSync(resolve(ctx.baseDir, o.path), 'utf8').trim().split(/\\r?\\n/).slice(o.skipHeader ? 1 : 0);
    const rows = lines.map((l) => l.split(',').map(Number));
    const features = rows[0]!.length - 1;
    return {
      x: { dataType: DataType.FLOAT, dims: [rows.length, features], data: Float32Array.from(rows.flatMap((r) => r.slice(0, features))) },
      y: { dataType: DataType.INT64, dims: [rows.length], data: BigInt64Array.from(rows, (r) => BigInt(r[features]!)) },
    };
  },
});
${exportDescriptors(n)}`,
  spec: (n) => `import { describeDataSourceConformance } from '@anneal/testing';
import { ${n.constant} } from './index.js';

describeDataSourceConformance(${n.constant}, {
  valid: [{ path: 'data/rows.csv' }, { path: 'data/with-header.csv', skipHeader: true }],
  invalid: [{}, { path: '' }],
  files: { 'data/rows.csv': '0.5,1,0\\n2,-1,1\\n0,0,2\\n', 'data/with-header.csv': 'a,b,class\\n0.5,1,0\\n2,-1,1\\n0,0,2\\n' },
  classes: 3,
});
`,
  usage: (n) => `data:\n  source: { type: ${n.id}, package: ${n.packageName}, path: data/rows.csv }`,
};
