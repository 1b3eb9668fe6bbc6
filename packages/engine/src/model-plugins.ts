import { listParameters } from '@anneal/autograd';
import { resolvePath, type ModelProto } from '@anneal/onnx';
import type { ParamGroup } from '@anneal/optim';
import { PluginOptionError, type PluginContext, type PluginDescriptor } from '@anneal/plugin';
import { z } from 'zod';
import { buildCnn } from './cnn.js';
import { buildMlp } from './mlp.js';
import { prepareModel } from './prepare-model.js';

/** The shape of a run's data, as a model plugin needs it. */
export interface DataShape {
  /** Per-example input dims, without the batch axis ([784], or [1, 28, 28] for images). */
  readonly inputDims: readonly number[];
  /** Classes of the task (width of the logits). */
  readonly classes: number;
}

/** What a model's `create` receives besides its options. */
export interface ModelContext extends PluginContext {
  readonly data: DataShape;
  /** The run's seed (default seed of weight initialization). */
  readonly seed: number;
  /** Folder relative paths in the options are resolved against (the working directory in the CLI). */
  readonly baseDir: string;
}

/** A trainable model: the forward graph (first output: logits), its data input and what to train. */
export interface ModelDefinition {
  readonly model: ModelProto;
  /** The graph input the batches feed. */
  readonly inputName: string;
  /** Initializers to train (default: every float initializer, see listParameters). */
  readonly trainable?: readonly string[];
  /** Parameter groups the model brings (layer-wise lr decay of a backbone, say), besides the config's. */
  readonly groups?: readonly ParamGroup[];
}

/**
 * A model configs can name (`model: { type: <id>, ...options }`): the `model` kind, for built
 * architectures, ONNX files and backbones with a new head alike. `create` may be async.
 */
export type ModelDescriptor<O = unknown> = PluginDescriptor<'model', O, ModelDefinition | Promise<ModelDefinition>, ModelContext>;

/** The registry type map of the model kind. */
export interface ModelKinds {
  model: { product: ModelDefinition | Promise<ModelDefinition>; context: ModelContext };
}

/**
 * A model descriptor (`kind: 'model'` filled in).
 *
 * @example
 * ```ts
 * export const tiny = defineModel({ id: 'tiny-mlp', description: 'one hidden layer of 8', options: z.strictObject({}), create: (_, ctx) => ({ model: buildMlp({ sizes: [ctx.data.inputDims[0]!, 8, ctx.data.classes] }), inputName: 'x' }) });
 * ```
 */
export function defineModel<O>(descriptor: Omit<ModelDescriptor<O>, 'kind'>): ModelDescriptor<O> {
  return { kind: 'model', ...descriptor };
}

const positiveInt = z.number().int().positive();

/** Loads an ONNX file for training and checks the options that name its tensors. */
function onnxModel(o: { path: string; inputName?: string; trainable?: string[] }, ctx: ModelContext): ModelDefinition {
  const path = resolvePath(ctx.baseDir, o.path);
  const { model } = prepareModel(path);
  const inits = new Set(model.graph.initializer.map((t) => t.name));
  const inputs = model.graph.input.filter((i) => !inits.has(i.name)).map((i) => i.name);
  const inputName = o.inputName ?? inputs[0];
  if (!inputName) throw new Error(`${path}: the model has no data input; name it with inputName`);
  if (!inputs.includes(inputName)) throw new PluginOptionError('inputName', `'${inputName}' is not a data input of ${path}; its inputs are ${inputs.join(', ')}`);
  if (!o.trainable) return { model, inputName };
  const params = listParameters(model);
  const unknown = o.trainable.filter((t) => !params.includes(t));
  if (unknown.length) {
    const detail = `${unknown.map((t) => `'${t}'`).join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not a trainable float initializer of ${path}; its parameters are ${params.slice(0, 12).join(', ')}${params.length > 12 ? ', ...' : ''}`;
    throw new PluginOptionError('trainable', detail);
  }
  return { model, inputName, trainable: o.trainable };
}

/** The built-in models: `mlp`, `cnn` (built with seeded initialization) and `onnx` (a file). */
export const builtinModels: readonly ModelDescriptor[] = [
  defineModel({
    id: 'mlp',
    description: 'a multilayer perceptron over flat inputs (hidden sizes, relu/tanh/gelu, dropout)',
    options: z.strictObject({ hidden: z.array(positiveInt).default([128]), activation: z.enum(['relu', 'tanh', 'gelu']).optional(), dropout: z.number().min(0).max(0.95).optional(), seed: z.number().int().optional() }),
    create: (o, ctx) => {
      if (ctx.data.inputDims.length !== 1) throw new Error(`an mlp needs flat inputs; the data has per-example dims [${ctx.data.inputDims.join(', ')}]`);
      const sizes = [ctx.data.inputDims[0]!, ...o.hidden, ctx.data.classes];
      const parameters = sizes.slice(1).reduce((n, out, i) => n + (sizes[i]! + 1) * out, 0);
      // checked before building: the weights of one ONNX file (a protobuf message) stay under 2 GB
      if (parameters * 4 >= 2 ** 31) throw new PluginOptionError('hidden', `[${o.hidden.join(', ')}] makes ${parameters.toExponential(2)} float parameters (${((parameters * 4) / 2 ** 30).toFixed(1)} GiB), more than the 2 GB an ONNX model holds; use smaller hidden sizes`);
      return { model: buildMlp({ sizes, activation: o.activation, dropout: o.dropout, seed: o.seed ?? ctx.seed }), inputName: 'x' };
    },
  }),
  defineModel({
    id: 'cnn',
    description: 'a small convolutional classifier over [C, H, W] images (conv blocks, optional BatchNorm, dense head)',
    options: z.strictObject({
      channels: z.array(positiveInt).optional(),
      kernel: positiveInt.optional(),
      downsample: z.enum(['maxpool', 'stride']).optional(),
      hidden: z.array(positiveInt).optional(),
      batchNorm: z.boolean().optional(),
      dropout: z.number().min(0).max(0.95).optional(),
      seed: z.number().int().optional(),
    }),
    create: (o, ctx) => {
      if (ctx.data.inputDims.length !== 3) throw new Error(`a cnn needs image inputs [C, H, W]; the data has per-example dims [${ctx.data.inputDims.join(', ')}] (for MNIST set data.source.image: true)`);
      return { model: buildCnn({ ...o, input: ctx.data.inputDims as [number, number, number], classes: ctx.data.classes, seed: o.seed ?? ctx.seed }), inputName: 'x' };
    },
  }),
  defineModel({
    id: 'onnx',
    description: 'an ONNX file (Constant weights promoted, old opsets upgraded); `trainable` limits training to the named initializers',
    options: z.strictObject({ path: z.string().min(1), inputName: z.string().optional(), trainable: z.array(z.string()).min(1).optional() }),
    create: onnxModel,
  }),
];
