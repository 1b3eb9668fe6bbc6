import { defineGradientRules, defineLoss, type GradientRule } from '@anneal/autograd';
import { defineDataSource } from '@anneal/data';
import { buildMlp, defineModel } from '@anneal/engine';
import { DataType, GraphBuilder, type TensorValue } from '@anneal/onnx';
import { combine, defineOptimizer, scaleTerms, type Optimizer } from '@anneal/optim';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { dataSourceConformanceChecks, describeDataSourceConformance } from './data-source-conformance.js';
import type { ConformanceCheck } from './descriptor-contract.js';
import { describeGradientRuleConformance, gradientRuleConformanceChecks, type GradientTestModel } from './gradient-rule-conformance.js';
import { describeLossConformance, lossConformanceChecks } from './loss-conformance.js';
import { describeModelConformance, modelConformanceChecks } from './model-conformance.js';
import { describeOptimizerConformance, optimizerConformanceChecks, type OptimizerReference, type ReferenceParam } from './optimizer-conformance.js';
import { randn } from './fixtures.js';

async function failure(checks: readonly ConformanceCheck[], words: string): Promise<Error | undefined> {
  const check = checks.find((c) => c.title.includes(words));
  if (!check) throw new Error(`no check titled '...${words}...'`);
  try {
    await check.run();
    return undefined;
  } catch (e) {
    return e as Error;
  }
}

// --- third-party plugins written against the public APIs: they pass ---------------------------

/** SGD that forgets weight decay when `decay` is false (a broken plugin). */
const plainSgd = (decay: boolean): Optimizer => ({
  id: 'plain-sgd',
  hyperparameters: [],
  stateSlots: () => [],
  emit: (ctx) => combine(ctx.builder, ctx.scalars, [{ tensor: ctx.value }, ...scaleTerms(ctx.scalars, [ctx.grad, ...(decay && ctx.weightDecay ? [{ tensor: ctx.value, scale: ctx.weightDecay }] : [])], ctx.scalars.neg(ctx.lr))], ctx.outputs.param),
});
const sgdReference = (_o: unknown, params: readonly ReferenceParam[]): OptimizerReference => ({
  step: (p, g, hp) => params.forEach(({ name }) => p[name]!.forEach((w, i) => (p[name]![i] = w - hp.lr * (g[name]![i]! + hp.weightDecay * w)))),
});
const sgdPlugin = defineOptimizer({ id: 'plain-sgd', description: 'p - lr (g + wd p)', options: z.strictObject({ decay: z.boolean().default(true) }), create: (o) => plainSgd(o.decay) });
describeOptimizerConformance(sgdPlugin, { valid: [{}], invalid: [{ decay: 1 }], reference: sgdReference, lr: 0.1 });

const l1 = defineLoss({ id: 'l1', description: 'mean absolute error', options: z.strictObject({}), create: () => ({ labels: DataType.FLOAT, classification: false, emit: (b, y, t) => b.op('ReduceMean', [b.op('Abs', [b.op('Sub', [y, t])])], { keepdims: 0 }) }) });
describeLossConformance(l1, { valid: [{}], invalid: [{ delta: 1 }] });

/** d softsign(x)/dx = 1/(1 + |x|)^2; `broken` forgets the square. */
const softsignRule = (broken: boolean): GradientRule => ({
  ops: ['Softsign'],
  backward: (ctx) => {
    const denom = ctx.op('Add', [ctx.scalar(1), ctx.op('Abs', [ctx.x()])]);
    return [ctx.op('Div', [ctx.dy(), broken ? denom : ctx.op('Mul', [denom, denom])])];
  },
});
const softsignModel = (): GradientTestModel => {
  const b = new GraphBuilder({ opset: 17 });
  b.output(b.op('Softsign', [b.op('Mul', [b.input('x', DataType.FLOAT, [3, 4]), b.scalar(2)])], {}, { output: 'y' }), DataType.FLOAT);
  return { name: 'softsign', model: b.build(), feeds: { x: { dataType: DataType.FLOAT, dims: [3, 4], data: randn(12, 5) } }, wrt: ['x'] };
};
const softsign = defineGradientRules({ id: 'softsign', description: 'the gradient of Softsign', options: z.strictObject({ broken: z.boolean().default(false) }), create: (o) => [softsignRule(o.broken)] });
describeGradientRuleConformance(softsign, { valid: [{}], invalid: [{ broken: 'no' }], models: [softsignModel()] });

const tinyMlp = defineModel({ id: 'tiny-mlp', description: 'one hidden layer of 5', options: z.strictObject({ input: z.string().default('x'), width: z.number().int().optional() }), create: (o, ctx) => ({
  model: buildMlp({ sizes: [ctx.data.inputDims[0]!, 5, o.width ?? ctx.data.classes], seed: ctx.seed }),
  inputName: o.input,
}) });
describeModelConformance(tinyMlp, { valid: [{}], invalid: [{ input: 3 }] });

const csvFloats = defineDataSource({ id: 'floats', description: 'rows of numbers, the last a class id', options: z.strictObject({ path: z.string(), cwd: z.boolean().default(false) }), create: (o, ctx) => {
  const rows = readFileSync(resolve(o.cwd ? process.cwd() : ctx.baseDir, o.path), 'utf8').trim().split('\n').map((l) => l.split(',').map(Number));
  const f = rows[0]!.length - 1;
  const x: TensorValue = { dataType: DataType.FLOAT, dims: [rows.length, f], data: Float32Array.from(rows.flatMap((r) => r.slice(0, f))) };
  return { x, y: { dataType: DataType.INT64, dims: [rows.length], data: BigInt64Array.from(rows, (r) => BigInt(r[f]!)) } };
} });
const rows = { 'data/rows.csv': '0.5,1,0\n2,-1,1\n0,0,2\n' };
describeDataSourceConformance(csvFloats, { valid: [{ path: 'data/rows.csv' }], invalid: [{}], files: rows, classes: 3 });

// --- broken plugins: the suites say what is wrong ---------------------------------------------

describe('the numeric conformance suites catch broken plugins', () => {
  it('optimizer: an update that forgets weight decay departs from the reference', async () => {
    const checks = optimizerConformanceChecks(sgdPlugin, { valid: [{ decay: false }], invalid: [], reference: sgdReference, lr: 0.1 });
    expect((await failure(checks, 'update graph'))?.message).toMatch(/step 1, 'layer.weight': relative error/);
  });

  it('loss: a sum over the batch is not a mean', async () => {
    const sum = defineLoss({ id: 'sum-l2', description: 'summed squares', options: z.strictObject({}), create: () => ({ labels: DataType.FLOAT, classification: false, emit: (b, y, t) => b.op('ReduceSumSquare', [b.op('Sub', [y, t])], { keepdims: 0 }) }) });
    expect((await failure(lossConformanceChecks(sum, { valid: [{}], invalid: [] }), 'mean over the batch'))?.message).toMatch(/a sum, not a mean/);
  });

  it('gradient rule: a wrong derivative fails the finite differences; an op no test model uses is reported', async () => {
    const checks = gradientRuleConformanceChecks(softsign, { valid: [{ broken: true }], invalid: [], models: [softsignModel()] });
    expect((await failure(checks, 'central finite differences'))?.message).toMatch(/relative error \((double|float)\) per tensor: x/);
    const uncovered = defineGradientRules({ id: 'two', description: 'two rules', options: z.strictObject({}), create: () => [softsignRule(false), { ops: ['Mish'], backward: (ctx) => [ctx.dy()] }] });
    expect((await failure(gradientRuleConformanceChecks(uncovered, { valid: [{}], invalid: [], models: [softsignModel()] }), 'well-formed'))?.message).toMatch(/ops no test model uses/);
  });

  it('model: an inputName the graph lacks, and logits of the wrong width', async () => {
    const wrongInput = modelConformanceChecks(tinyMlp, { valid: [{ input: 'image' }], invalid: [] });
    expect((await failure(wrongInput, 'inputName'))?.message).toMatch(/inputName 'image' is not a data input/);
    const wrongWidth = modelConformanceChecks(tinyMlp, { valid: [{ width: 7 }], invalid: [] });
    expect((await failure(wrongWidth, 'forward run'))?.message).toMatch(/logits/);
  });

  it('data source: relative paths read from the working directory; negative class ids', async () => {
    const cwd = dataSourceConformanceChecks(csvFloats, { valid: [{ path: 'data/rows.csv', cwd: true }], invalid: [], files: rows });
    expect(await failure(cwd, 'consistent')).toBeDefined(); // the file is not in the working directory
    const negative = dataSourceConformanceChecks(csvFloats, { valid: [{ path: 'data/rows.csv' }], invalid: [], files: { 'data/rows.csv': '1,2,-1\n3,4,0\n' } });
    expect((await failure(negative, 'consistent'))?.message).toMatch(/label -1 is negative/);
  });
});
