import { byId } from './dom.js';
import { captureFrame } from './page-images.js';

/** Whether the page can ask for a camera (a secure context with getUserMedia). */
export function webcamAvailable(): boolean {
  return !!navigator.mediaDevices?.getUserMedia;
}

/**
 * Opens the webcam dialog; each Capture hands a PNG frame to `onCapture`. The camera stops when
 * the dialog closes.
 */
export async function openWebcam(title: string, onCapture: (frame: Blob) => void): Promise<void> {
  const dialog = byId<HTMLDialogElement>('webcam-dialog');
  const video = byId<HTMLVideoElement>('webcam-video');
  const count = byId('webcam-count');
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
  let captured = 0;
  video.srcObject = stream;
  count.textContent = title;
  const capture = async () => {
    onCapture(await captureFrame(video));
    count.textContent = `${title}: ${++captured} captured`;
  };
  const close = () => dialog.close();
  byId('webcam-capture').onclick = () => void capture();
  byId('webcam-close').onclick = close;
  dialog.onclose = () => {
    for (const t of stream.getTracks()) t.stop();
    video.srcObject = null;
  };
  dialog.showModal();
}
