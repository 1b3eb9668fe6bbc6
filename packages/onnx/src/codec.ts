import protobuf from 'protobufjs';
import { asProto2, onnxSchema } from './proto-schema.js';
import { MalformedModelError } from './errors.js';
import { checkModel } from './check-model.js';
import type { ModelProto, TensorProto } from './types.js';

const root = protobuf.Root.fromJSON(asProto2(onnxSchema));
const ModelType = root.lookupType('onnx.ModelProto');
const TensorType = root.lookupType('onnx.TensorProto');
const toObjectOptions: protobuf.IConversionOptions = { longs: Number, arrays: true, defaults: false };

function fillGraphDefaults(model: ModelProto): ModelProto {
  if (!model.graph) model.graph = {} as ModelProto['graph'];
  return model;
}

/**
 * Decodes ONNX bytes into a plain {@link ModelProto} and checks it ({@link checkModel}): malformed
 * protobuf is a MalformedModelError, a tensor whose data does not match its dims an
 * InvalidTensorError, both naming `source`.
 * @example const model = decodeModel(readFileSync('net.onnx'));
 */
export function decodeModel(bytes: Uint8Array, source = '<bytes>'): ModelProto {
  let model: ModelProto;
  try {
    model = ModelType.toObject(ModelType.decode(bytes), toObjectOptions) as ModelProto;
  } catch (e) {
    throw new MalformedModelError(source, (e as Error).message);
  }
  if (!model.graph || model.opsetImport.length === 0) {
    throw new MalformedModelError(source, !model.graph ? 'it has no graph' : 'it declares no opset_import');
  }
  checkModel(model, source);
  return fillGraphDefaults(model);
}

/** Encodes a plain {@link ModelProto} to ONNX bytes. */
export function encodeModel(model: ModelProto): Uint8Array {
  const message = ModelType.fromObject(model as unknown as Record<string, unknown>);
  return ModelType.encode(message).finish();
}

/** Decodes a serialized TensorProto (e.g. a `.pb` test fixture). */
export function decodeTensor(bytes: Uint8Array): TensorProto {
  return TensorType.toObject(TensorType.decode(bytes), toObjectOptions) as TensorProto;
}

/** Encodes one TensorProto. */
export function encodeTensor(tensor: TensorProto): Uint8Array {
  return TensorType.encode(TensorType.fromObject(tensor as unknown as Record<string, unknown>)).finish();
}
