import { loadModel } from '@anneal/onnx';
import { createSession, type Session } from '@anneal/runtime';

/**
 * A CPU session of a saved model file. The model is read with its external data resolved against
 * the model's own folder (and confined to it, as every command that loads models does), never
 * against the working directory, so a model with its weights file beside it works from anywhere.
 *
 * @example const session = await modelSession('runs/iris/model.onnx');
 */
export async function modelSession(modelPath: string): Promise<Session> {
  return createSession(loadModel(modelPath), { device: 'cpu' });
}
