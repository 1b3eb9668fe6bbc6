import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataType, GraphBuilder, saveModel, tensors } from '@anneal/onnx';
import { runCli as run } from '../run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'anneal-features-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('anneal features', () => {
  it('a cut whose type is hidden by an op Anneal does not model names the op and says to choose another tensor with --at', async () => {
    const b = new GraphBuilder({ opset: 17 });
    b.input('x', DataType.FLOAT, ['N', 1, 28, 28]);
    const pooled = b.op('GlobalAveragePool', ['x']);
    const flat = b.op('Einsum', [pooled], { equation: 'ncij->nc' }, { output: 'flat', name: 'to_vector' });
    const feat = b.op('Relu', [flat], {}, { output: 'feat' });
    b.output(b.op('Gemm', [feat, b.initializer(tensors.float('w', [3, 1], new Float32Array(3)))], { transB: 1 }, { output: 'logits' }), DataType.FLOAT, ['N', 3]);
    const model = join(dir, 'einsum.onnx');
    saveModel(model, b.build());
    const r = await run(['features', model, 'mnist:2', '--at', 'feat', '--cache-dir', join(dir, 'cache')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`cannot cut the backbone at 'feat'`);
    expect(r.err).toMatch(/because the element type of the output of Einsum node 'to_vector' is not inferred/);
    expect(r.err).toContain(`Choose another tensor with --at (\`anneal inspect ${model}\` lists the candidates)`);
  });
});
