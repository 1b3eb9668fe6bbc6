import { readFileSync } from 'node:fs';
import type { TensorValue } from '@anneal/onnx';
import { createSession } from '@anneal/runtime';

/** Logits of a saved classifier over batches (plain ORT, CPU), concatenated, with the labels. */
export async function modelLogits(modelPath: string, batches: Iterable<Record<string, TensorValue>>): Promise<{ logits: Float32Array; labels: number[]; classes: number }> {
  const session = await createSession(new Uint8Array(readFileSync(modelPath)), { device: 'cpu' });
  const inputName = session.inputNames[0]!;
  const parts: Float32Array[] = [];
  const labels: number[] = [];
  let classes = 0;
  try {
    for (const b of batches) {
      const x = Object.entries(b).find(([name]) => name !== 'labels')![1];
      const out = await session.run({ [inputName]: x });
      const raw = Object.values(out)[0]!;
      classes = Number(raw.dims[1]);
      parts.push(Float32Array.from(raw.data as Float32Array));
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
