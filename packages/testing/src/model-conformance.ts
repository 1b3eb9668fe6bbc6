import type { DataShape, ModelContext, ModelDefinition, ModelDescriptor } from '@anneal/engine';
import { DataType, encodeModel, GraphIndex, tensorToValue, type TensorValue } from '@anneal/onnx';
import { expect } from 'vitest';
import { withTempDirs, writeFiles } from './conformance-utils.js';
import { describeChecks, descriptorContractChecks, noNestedSpecs, optionLabel, parseOptions, type ConformanceCheck } from './descriptor-contract.js';
import { randn } from './fixtures.js';

/** Inputs of {@link describeModelConformance}. */
export interface ModelConformanceCases {
  /** Option sets the schema must accept; every check runs on each. */
  readonly valid: readonly unknown[];
  /** Option sets the schema must reject. */
  readonly invalid: readonly unknown[];
  /** The run's data shape the context gives (default `{ inputDims: [6], classes: 3 }`). */
  readonly data?: DataShape;
  /** Files the option sets name by relative path (e.g. an .onnx file), written into a fresh folder that is the context's `baseDir`. */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  /** Examples of the tiny batch (default 4). */
  readonly batch?: number;
  /** SGD learning rate of the training check (default 0.1) and its number of steps (default 5). */
  readonly lr?: number;
  readonly steps?: number;
}

/** The names of the graph inputs the batches must feed (inputs that are not initializers). */
function dataInputs(def: ModelDefinition): string[] {
  const inits = new Set(def.model.graph.initializer.map((t) => t.name));
  return def.model.graph.input.map((i) => i.name).filter((n) => !inits.has(n));
}

/** A tiny seeded batch: inputs [n, ...inputDims] ~ N(0, 1), labels 0, 1, 2, ... (mod classes). */
function tinyBatch(def: ModelDefinition, data: DataShape, n: number): Record<string, TensorValue> {
  const size = data.inputDims.reduce((a, b) => a * b, 1);
  return {
    [def.inputName]: { dataType: DataType.FLOAT, dims: [n, ...data.inputDims], data: randn(n * size, 17) },
    labels: { dataType: DataType.INT64, dims: [n], data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i % data.classes)) },
  };
}

/** The checks {@link describeModelConformance} runs (ONNX Runtime, autograd and optim are loaded when a check runs). */
export function modelConformanceChecks<O>(descriptor: ModelDescriptor<O>, cases: ModelConformanceCases): ConformanceCheck[] {
  const data = cases.data ?? { inputDims: [6], classes: 3 };
  const files = cases.files ?? {};
  const n = cases.batch ?? 4;
  const context = (baseDir: string): ModelContext => ({ path: 'model', build: noNestedSpecs('model'), data, seed: 0, baseDir });
  const define = (options: unknown, withFiles = true): Promise<ModelDefinition> =>
    withTempDirs('model', async (temp) => {
      const dir = temp();
      if (withFiles) writeFiles(dir, files);
      return descriptor.create(parseOptions(descriptor, options), context(dir));
    });

  const checks = descriptorContractChecks<ModelDefinition>(descriptor, {
    kind: 'model',
    valid: cases.valid,
    invalid: cases.invalid,
    create: (options) =>
      withTempDirs('model', async (temp) => {
        const dir = temp();
        writeFiles(dir, files);
        return descriptor.create(options as O, context(dir));
      }),
    independence: {
      // zeroing one definition's weights must not reach the next: a source must not hand out a cached model
      use: (def) => {
        for (const t of def.model.graph.initializer) {
          t.rawData?.fill(0);
          t.floatData?.fill(0);
        }
      },
      observe: (def) => Array.from(encodeModel(def.model)),
    },
  });
  cases.valid.forEach((options, k) => {
    const label = optionLabel(options, k);
    checks.push(
      {
        title: `${label}: inputName is the graph's data input; trainable names float initializers; groups name trainable tensors`,
        async run() {
          const { listParameters } = await import('@anneal/autograd');
          const def = await define(options);
          const inputs = dataInputs(def);
          expect(inputs, `inputName '${def.inputName}' is not a data input of the graph (its inputs: ${inputs.join(', ') || 'none'})`).toContain(def.inputName);
          expect(inputs, `the graph has data inputs besides '${def.inputName}' that no batch feeds`).toEqual([def.inputName]);
          expect(def.model.graph.output.length, 'the graph has no output (the first is the logits)').toBeGreaterThan(0);
          const index = new GraphIndex(def.model.graph);
          const trainable = def.trainable ?? listParameters(def.model);
          expect(trainable.length, 'nothing to train: no float initializers, and no `trainable` list').toBeGreaterThan(0);
          for (const name of trainable) {
            const t = index.initializers.get(name);
            expect(t, `trainable '${name}' is not an initializer of the graph`).toBeDefined();
            expect(t!.dataType, `trainable '${name}' is not a float32 initializer`).toBe(DataType.FLOAT);
          }
          for (const g of def.groups ?? []) for (const p of g.params) expect(trainable, `group '${g.name}' names '${p}', which is not trained`).toContain(p);
        },
      },
      {
        title: `${label}: a forward run in onnxruntime-node gives finite logits [${n}, ${data.classes}]`,
        async run() {
          const { ortExecutor } = await import('@anneal/runtime');
          const def = await define(options);
          const batch = tinyBatch(def, data, n);
          const executor = ortExecutor({ intraOpThreads: 1 });
          try {
            const logitsName = def.model.graph.output[0]!.name;
            const out = await executor.run(def.model, { [def.inputName]: batch[def.inputName]! }, [logitsName]);
            const logits = out[logitsName]!;
            expect(logits.dims, `logits '${logitsName}'`).toEqual([n, data.classes]);
            expect(Array.from(logits.data as Float32Array).every(Number.isFinite), 'logits are not all finite').toBe(true);
          } finally {
            await executor.release();
          }
        },
      },
      {
        title: `${label}: compileTrainStep builds a step whose loss decreases over ${cases.steps ?? 5} SGD steps on a tiny batch`,
        async run() {
          const [{ compileTrainStep, defaultGradientRegistry, listParameters, softmaxCrossEntropy }, { emitOptimizerUpdate, hyperparameterFeeds, sgd }, { ortExecutor }] = await Promise.all([
            import('@anneal/autograd'),
            import('@anneal/optim'),
            import('@anneal/runtime'),
          ]);
          const def = await define(options);
          const batch = tinyBatch(def, data, n);
          const executor = ortExecutor({ intraOpThreads: 1 });
          const lr = cases.lr ?? 0.1;
          const optimizer = sgd();
          let feedsOf: (step: number) => Record<string, number> = () => ({});
          try {
            const step = await compileTrainStep({
              model: def.model,
              executor,
              sample: batch,
              registry: defaultGradientRegistry(),
              trainable: def.trainable ?? listParameters(def.model),
              loss: (b, logits, labels) => softmaxCrossEntropy(b, { logits, labels }),
              dropoutTraining: false,
              update: (b, params) => {
                const dims = (name: string) => def.model.graph.initializer.find((t) => t.name === name)?.dims.map(Number);
                const config = { optimizer, lr, params: params.map((p) => ({ name: p.name, grad: p.grad, dims: dims(p.name) })), stats: false };
                const update = emitOptimizerUpdate(b, config);
                feedsOf = (t) => hyperparameterFeeds(config, { step: t });
                const carried = Object.fromEntries([...update.params, ...update.state].map((c) => [c.input, c.output]));
                return { carried, hyperparameters: Object.fromEntries(update.hyperparameters.map((h) => [h.name, h.value])), stats: [] };
              },
            });
            const state: Record<string, TensorValue> = {};
            for (const p of step.params) state[p] = tensorToValue(step.initialParams[p]!);
            for (const r of step.runningStats) state[r.input] = tensorToValue(r.initial);
            for (const [name, dims] of Object.entries(step.stateShapes)) state[name] = { dataType: DataType.FLOAT, dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) };
            const losses: number[] = [];
            for (let t = 1; t <= (cases.steps ?? 5) + 1; t++) {
              const hp = Object.fromEntries(Object.entries(feedsOf(t)).map(([k, v]) => [k, { dataType: DataType.FLOAT, dims: [], data: Float32Array.of(v) } as TensorValue]));
              const out = await executor.run(step.model, { ...batch, ...state, ...hp });
              losses.push(Number(out[step.loss]!.data[0]));
              for (const [input, output] of Object.entries(step.carried)) state[input] = out[output]!;
            }
            expect(losses.every(Number.isFinite), `losses ${losses.join(', ')}`).toBe(true);
            expect(losses.at(-1)!, `the loss did not decrease over ${losses.length - 1} SGD steps with lr ${lr}: ${losses.map((l) => l.toFixed(5)).join(', ')}`).toBeLessThan(losses[0]!);
          } finally {
            await executor.release();
          }
        },
      },
    );
    if (Object.keys(files).length > 0) {
      checks.push({
        title: `${label}: resolves relative paths against the context's baseDir (not the working directory)`,
        async run() {
          const [a, b] = [await define(options), await define(options)];
          expect(Array.from(encodeModel(b.model)), 'the same files under another baseDir gave another model').toEqual(Array.from(encodeModel(a.model)));
          let failed = false;
          try {
            await define(options, false);
          } catch {
            failed = true;
          }
          expect(failed, `with the files missing from baseDir the model still loaded (it read ${Object.keys(files).join(', ')} from somewhere else)`).toBe(true);
        },
      });
    }
  });
  return checks;
}

/**
 * Declares vitest blocks that check a model descriptor against the plugin contract and, for the
 * data shape given and every valid option set: `inputName` is the graph's only data input, the
 * trainable names are float initializers (groups name trained tensors); a forward run in
 * onnxruntime-node gives finite logits [N, classes]; `compileTrainStep` (with cross-entropy and
 * SGD from @anneal/optim) builds a step whose loss decreases over a few steps on a tiny batch;
 * two creates share no model; with `files`, relative paths resolve against `baseDir`.
 *
 * @example
 * ```ts
 * // my-model.spec.ts
 * import { describeModelConformance } from '@anneal/testing';
 * describeModelConformance(resnetTiny, { valid: [{ depth: 2 }], invalid: [{ depth: 0 }], data: { inputDims: [3, 16, 16], classes: 4 } });
 * ```
 */
export function describeModelConformance<O>(descriptor: ModelDescriptor<O>, cases: ModelConformanceCases): void {
  describeChecks(`model conformance: ${descriptor.id}`, modelConformanceChecks(descriptor, cases));
}
