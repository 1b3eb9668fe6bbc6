import type { TensorValue } from '@anneal/onnx';
import { classScores } from '../run/model-output.js';
import { modelSession } from '../run/model-session.js';

/** Logits of a saved classifier over batches (plain ORT, CPU), concatenated, with the labels. */
export async function modelLogits(modelPath: string, batches: Iterable<Record<string, TensorValue>>): Promise<{ logits: Float32Array; labels: number[]; classes: number }> {
  const session = await modelSession(modelPath);
  const inputName = session.inputNames[0]!;
  const parts: Float32Array[] = [];
  const labels: number[] = [];
  let classes = 0;
  try {
    for (const b of batches) {
      const x = Object.entries(b).find(([name]) => name !== 'labels')![1];
      const scores = classScores(await session.run({ [inputName]: x }), modelPath, Number(b.labels!.dims[0]));
      classes = scores.dims[1]!;
      parts.push(Float32Array.from(scores.data));
      for (const y of b.labels!.data as Iterable<number | bigint>) labels.push(Number(y));
    }
  } finally {
    await session.release();
  }
  const logits = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    logits.set(p, at);
    at += p.length;
  }
  return { logits, labels, classes };
}
