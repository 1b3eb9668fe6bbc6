import type { ModelProto } from '@anneal/onnx';
import { TransferError } from './errors.js';
import { planPreprocess, type ImagePreprocess } from './images/preprocess.js';

/** The ModelProto `metadata_props` key Anneal writes an inference model's classes and preprocessing under. */
export const INFERENCE_METADATA_KEY = 'anneal.inference';
/** The key Anneal Studio's exported models use for the same fields. */
const STUDIO_KEY = 'anneal.studio';

/**
 * What a program needs to use an exported classifier: the class names (index = output column),
 * how images become its input, and the input's name. Stored as JSON in the model's metadata, so
 * `anneal predict`, onnxruntime-node and a page with onnxruntime-web read the same facts.
 *
 * @example const meta: InferenceMetadata = { classes: ['cat', 'dog'], preprocess: { size: [224, 224], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }, input: 'x' };
 */
export interface InferenceMetadata {
  classes?: string[];
  preprocess?: ImagePreprocess;
  input?: string;
}

/** The model's metadata is there but unreadable (not JSON, classes not strings, a bad preprocess field). */
export class InferenceMetadataError extends TransferError {
  constructor(
    readonly key: string,
    reason: string,
    readonly file?: string,
  ) {
    super('INFERENCE_METADATA', `${file ? `${file}: ` : ''}model metadata '${key}': ${reason}; re-export the model (anneal finetune writes it), or remove the entry and give the preprocessing yourself`);
  }
}

/**
 * `p` with every default written out (channels, fit, position, background, invert, per-channel
 * mean and std, layout), so a program outside Anneal (a page with onnxruntime-web) needs no
 * knowledge of Anneal's defaults to reproduce the input. Images are decoded with EXIF orientation
 * applied, transparency flattened onto `background`, resized with a triangle (bilinear,
 * antialiased) filter, then v/255, `invert`, (v - mean) / std.
 *
 * @example explicitPreprocess({ size: [32, 32] }); // { size: [32, 32], channels: 3, fit: 'fill', position: 'centre', background: 0, invert: false, mean: [0, 0, 0], std: [1, 1, 1], layout: 'NCHW' }
 */
export function explicitPreprocess(p: ImagePreprocess): Required<ImagePreprocess> {
  const { size, channels, fit, position, background, invert, mean, std, layout } = planPreprocess(p);
  return { size, channels, fit, position, background, invert, mean, std, layout };
}

/**
 * Writes `meta` into the model's `metadata_props` under {@link INFERENCE_METADATA_KEY} (replacing
 * an earlier entry) and returns the model. Fields left undefined are not written.
 *
 * @example saveModel('model.onnx', setInferenceMetadata(model, { classes: ['cat', 'dog'], preprocess }));
 */
export function setInferenceMetadata(model: ModelProto, meta: InferenceMetadata): ModelProto {
  const value = JSON.stringify({ classes: meta.classes, preprocess: meta.preprocess, input: meta.input });
  model.metadataProps = [...(model.metadataProps ?? []).filter((p) => p.key !== INFERENCE_METADATA_KEY), { key: INFERENCE_METADATA_KEY, value }];
  return model;
}

/**
 * The classes and preprocessing a model carries ({@link setInferenceMetadata}, or an Anneal
 * Studio export), checked; undefined when it carries none. `file` names the model in errors.
 *
 * @example const meta = inferenceMetadata(loadModel('runs/cats/model.onnx')); // { classes: ['cat', 'dog'], preprocess: {...} }
 */
export function inferenceMetadata(model: ModelProto, file?: string): InferenceMetadata | undefined {
  const entry = (model.metadataProps ?? []).find((p) => p.key === INFERENCE_METADATA_KEY) ?? (model.metadataProps ?? []).find((p) => p.key === STUDIO_KEY);
  if (!entry) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(entry.value ?? '');
  } catch (e) {
    throw new InferenceMetadataError(entry.key ?? INFERENCE_METADATA_KEY, `not JSON (${(e as Error).message})`, file);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InferenceMetadataError(entry.key!, 'not a JSON object', file);
  const { classes, preprocess, input } = raw as Record<string, unknown>;
  if (classes !== undefined && !(Array.isArray(classes) && classes.every((c) => typeof c === 'string'))) throw new InferenceMetadataError(entry.key!, 'classes must be a list of class names', file);
  if (input !== undefined && typeof input !== 'string') throw new InferenceMetadataError(entry.key!, 'input must be the name of the model input', file);
  if (preprocess !== undefined) {
    if (typeof preprocess !== 'object' || preprocess === null) throw new InferenceMetadataError(entry.key!, 'preprocess must be an object ({ size: [height, width], ... })', file);
    try {
      planPreprocess(preprocess as ImagePreprocess);
    } catch (e) {
      throw new InferenceMetadataError(entry.key!, `preprocess: ${(e as Error).message}`, file);
    }
  }
  return { classes: classes as string[] | undefined, preprocess: preprocess as ImagePreprocess | undefined, input: input as string | undefined };
}
