import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '@anneal/data';
import { ocrModels } from '@anneal/testing';
import type { ModelReport } from '@anneal/transfer';
import { runCli as run } from '../run-cli.js';
import { parseInputShape } from '../options.js';

describe('anneal inspect', () => {
  it('prints the report of the PaddleOCR classifier: upgrade, op table, feature candidates, gradient coverage', async () => {
    const r = await run(['inspect', ocrModels.classifier, '--input-shape', '1x3x48x192', '--limit', '3']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(ocrModels.classifier);
    expect(r.out).toContain('opset 9 -> 17');
    expect(r.out).toMatch(/Conv\s+53\s+✓/);
    expect(r.out).toContain('Feature candidates');
    expect(r.out).toMatch(/1\s+reshape2_0\.tmp_0\s+Reshape\s+\[p2o\.DynamicDimension\.0, 200\]/);
    expect(r.out).not.toMatch(/^\s+4\s/m);
    expect(r.out).toContain('all parameters can train');
  });

  it('--json prints the report as parseable JSON', async () => {
    const r = await run(['inspect', ocrModels.classifier, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as ModelReport;
    expect(report.prepared.opset).toBe(17);
    expect(report.candidates[0]!.name).toBe('reshape2_0.tmp_0');
    expect(report.candidates).toHaveLength(10);
    expect(report.unsupported).toEqual([]);
  });

  it('a missing file exits 2 (an input error) and names the path', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'cli-inspect-')), 'nope.onnx');
    const r = await run(['inspect', missing]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(`cannot read ONNX model '${missing}'`);
  });

  it('a file of random bytes exits 2 with a decode error naming the file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cli-inspect-')), 'random.onnx');
    const rand = seededRandom(7);
    writeFileSync(file, Uint8Array.from({ length: 4096 }, () => Math.floor(rand() * 256)));
    const r = await run(['inspect', file]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('MalformedModelError');
    expect(r.err).toContain(`${file} is not a valid ONNX model`);
  });

  it('a malformed --input-shape is a usage error', async () => {
    const r = await run(['inspect', ocrModels.classifier, '--input-shape', '1x3xfoo']);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("--input-shape must be positive integers joined by 'x'");
    expect(r.out).toBe('');
  });

  it('an --input-shape that does not fit the model input fails naming the input and the file', async () => {
    const r = await run(['inspect', ocrModels.classifier, '--input-shape', '1x4x48x192']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`ShapeMismatchError: input 'x' of ${ocrModels.classifier}`);
  });
});

describe('parseInputShape', () => {
  it('reads dims joined by x or commas and refuses anything else', () => {
    expect(parseInputShape('1x3x48x192')).toEqual([1, 3, 48, 192]);
    expect(parseInputShape('2,5')).toEqual([2, 5]);
    expect(parseInputShape('7')).toEqual([7]);
    for (const bad of ['', '1x', 'x3', '1x0x4', '1x-3', '1.5x2', 'axb']) expect(() => parseInputShape(bad), bad).toThrow('--input-shape must be');
  });
});
