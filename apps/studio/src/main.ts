import { byId, dropTarget } from './dom.js';
import { download } from './page-images.js';
import { Studio } from './studio.js';
import { renderBackbone, renderCharts, renderClasses, renderPredictions, renderProgress, renderSettings, renderTrain } from './view.js';
import { openWebcam } from './webcam.js';

const studio = new Studio((part) => {
  if (part === 'all' || part === 'backbone') {
    renderBackbone(studio);
    renderSettings(studio);
  }
  if (part === 'all' || part === 'classes') renderClasses(studio);
  if (part === 'all' || part === 'train') renderTrain(studio);
  if (part === 'all' || part === 'chart' || part === 'train') renderCharts(studio);
  if (part === 'chart') renderProgress(studio);
  if (part === 'all' || part === 'predictions') renderPredictions(studio);
});

const files = (e: Event) => Array.from((e.target as HTMLInputElement).files ?? []);

byId<HTMLInputElement>('backbone-file').onchange = (e) => {
  const [file] = files(e);
  if (file) void studio.setBackbone(file);
};
byId('backbone-default').onclick = () => void studio.setBackbone();
byId('add-class').onclick = () => void studio.addClass();
byId('train').onclick = () => void studio.train();
byId('resume').onclick = () => void studio.resume();
byId('cancel').onclick = () => studio.cancel();
byId<HTMLInputElement>('predict-files').onchange = (e) => void studio.predict(files(e));
byId('predict-webcam').onclick = () => void openWebcam('Try it', (frame) => void studio.predict([frame])).catch((e: unknown) => studio.note(`Webcam: ${(e as Error).message}`));
dropTarget(byId('predict-drop'), (dropped) => {
  if (studio.phase === 'trained') void studio.predict(dropped);
});
byId('export-model').onclick = async () => {
  try {
    download(await studio.exportModel(), 'model.onnx');
  } catch (e) {
    studio.note(`Export: ${(e as Error).message}`);
  }
};
byId('export-checkpoint').onclick = () => {
  if (studio.checkpoint) download(studio.checkpoint.bytes, 'checkpoint.safetensors');
};
byId('start-over').onclick = () => {
  if (confirm('Forget every class, image and checkpoint of this page?')) void studio.startOver();
};

studio.start().catch((e: unknown) => {
  byId('status').textContent = `Error: ${e instanceof Error ? e.message : String(e)}`;
  document.body.dataset.phase = 'error';
});
