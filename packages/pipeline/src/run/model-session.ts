import { loadModel, type ModelProto } from '@anneal/onnx';
import { createSession, type Session } from '@anneal/runtime';

/**
 * A CPU session of a saved model file. The model is read with its external data resolved against
 * the model's own folder (and confined to it, as every command that loads models does), never
 * against the working directory, so a model with its weights file beside it works from anywhere.
 *
 * `model` is the file already loaded (so, by {@link loadModel}, with the same external data rule).
 *
 * @example const session = await modelSession('runs/iris/model.onnx');
 */
export async function modelSession(modelPath: string, model: ModelProto = loadModel(modelPath)): Promise<Session> {
  return createSession(model, { device: 'cpu' });
}
