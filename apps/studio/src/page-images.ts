// Images in the page: decoded by the browser, drawn on a canvas the way @anneal/transfer's sharp
// pipeline places them (fitBox), and normalized by the same byte -> value code (preprocessRgba).
import { fitBox, preprocessRgba, type ImagePreprocess } from '@anneal/transfer';

/** Decodes an image (PNG, JPEG, WebP, GIF...) and preprocesses it to the backbone's input. */
export async function preprocessBlob(blob: Blob, p: ImagePreprocess): Promise<Float32Array> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch {
    throw new Error(`cannot decode ${blob instanceof File ? blob.name : 'the image'} (${blob.type || 'unknown type'}); use PNG, JPEG, WebP or GIF`);
  }
  try {
    const [h, w] = p.size;
    const canvas = new OffscreenCanvas(w, h);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('this browser has no 2D canvas');
    const g = Math.round((p.background ?? 0) * 255);
    ctx.fillStyle = `rgb(${g}, ${g}, ${g})`;
    ctx.fillRect(0, 0, w, h);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    const b = fitBox(bitmap.width, bitmap.height, p);
    ctx.drawImage(bitmap, b.sx, b.sy, b.sw, b.sh, b.dx, b.dy, b.dw, b.dh);
    return preprocessRgba(ctx.getImageData(0, 0, w, h).data, p);
  } finally {
    bitmap.close();
  }
}

/** Several preprocessed images as one batch (N x per-example values). */
export function stack(inputs: readonly Float32Array[]): Float32Array {
  const size = inputs[0]?.length ?? 0;
  const x = new Float32Array(inputs.length * size);
  inputs.forEach((v, i) => x.set(v, i * size));
  return x;
}

/** A frame of a playing video as a PNG blob (the webcam capture). */
export async function captureFrame(video: HTMLVideoElement): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d')!.drawImage(video, 0, 0);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('could not capture the frame'))), 'image/png'));
}

/** Offers bytes as a file download. */
export function download(bytes: Uint8Array | Blob, name: string, type = 'application/octet-stream'): void {
  const blob = bytes instanceof Blob ? bytes : new Blob([bytes as Uint8Array<ArrayBuffer>], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
