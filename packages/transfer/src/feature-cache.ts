import { formatNpy, parseNpy, type ArrayDataset } from '@anneal/data';
import { ensureDir, writeFileAtomic, type TensorValue } from '@anneal/onnx';
import { FeatureCacheError } from './errors.js';
import { createSha256, fileExists, fileSize, joinPath as join, listNames, readBytes, readText } from '#files';

/** What identifies a set of cached features. */
export interface FeatureCacheKey {
  /** sha256 of the backbone's source model bytes. */
  model: string;
  /** Tensor the backbone was cut at, and how it was pooled. */
  tensor: string;
  pool: string;
  /** Canonical description of the preprocessing (see describePreprocess), '' for none. */
  preprocess: string;
  /** Hash of the input examples and labels (see hashDataset). */
  data: string;
}

/** A cache entry's metadata, written last: an entry without it (or whose hashes differ) is ignored. */
interface EntryMeta {
  version: 1;
  key: FeatureCacheKey;
  dims: number[];
  count: number;
  files: { features: { name: string; sha256: string }; labels: { name: string; sha256: string } };
  createdAt: string;
}

const sha256 = (bytes: Uint8Array | string) => createSha256().update(bytes).digest();

function bytesOf(t: TensorValue): Uint8Array {
  const d = t.data as ArrayBufferView;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/**
 * sha256 over a dataset's dims, element types and bytes (x and y): equal data gives equal hashes
 * across processes and runs.
 *
 * @example const h = hashDataset(train); // '3f1c...'
 */
export function hashDataset(ds: ArrayDataset): string {
  const h = createSha256();
  for (const t of [ds.x, ds.y]) {
    h.update(`${t.dataType}:${t.dims.join('x')};`);
    h.update(bytesOf(t));
  }
  return h.digest();
}

/**
 * Features on disk, keyed by model hash, cut tensor, pooling, preprocessing and data hash. Each
 * entry is two `.npy` files (features float32 [N, D], labels) and a JSON file with their sha256,
 * all written atomically (temp file + rename) with the JSON last; reads verify the hashes, so a
 * half-written or damaged entry is a miss, never wrong features. Safe for several processes: they
 * may compute the same entry twice, and the last rename wins with identical content.
 *
 * @example
 * const cache = new FeatureCache('.anneal/features');
 * const hit = cache.get(key) ?? cache.put(key, await compute());
 */
export class FeatureCache {
  constructor(readonly dir: string) {}

  /** The entry id of a key: sha256 of its canonical JSON, shortened. */
  id(key: FeatureCacheKey): string {
    const canonical = JSON.stringify([key.model, key.tensor, key.pool, key.preprocess, key.data]);
    return sha256(canonical).slice(0, 32);
  }

  /** Path of the entry's metadata file (exists once the entry is complete). */
  path(key: FeatureCacheKey): string {
    return join(this.dir, `${this.id(key)}.json`);
  }

  /** The cached features, or undefined on a miss (absent, half-written or damaged entry). */
  get(key: FeatureCacheKey): ArrayDataset | undefined {
    const metaPath = this.path(key);
    if (!fileExists(metaPath)) return undefined;
    try {
      const meta = JSON.parse(readText(metaPath)) as EntryMeta;
      if (meta.version !== 1 || this.id(meta.key) !== this.id(key)) return undefined;
      const features = readBytes(join(this.dir, meta.files.features.name));
      const labels = readBytes(join(this.dir, meta.files.labels.name));
      if (sha256(features) !== meta.files.features.sha256 || sha256(labels) !== meta.files.labels.sha256) return undefined;
      const x = parseNpy(features);
      const y = parseNpy(labels);
      if (x.dims.join() !== meta.dims.join() || y.dims[0] !== meta.count) return undefined;
      return { x, y };
    } catch {
      return undefined;
    }
  }

  /** Stores features (x [N, D] and labels y) under `key`; returns the metadata path. */
  put(key: FeatureCacheKey, features: ArrayDataset): string {
    const id = this.id(key);
    try {
      ensureDir(this.dir);
      const x = formatNpy(features.x);
      const y = formatNpy(features.y);
      const files = { features: { name: `${id}.features.npy`, sha256: sha256(x) }, labels: { name: `${id}.labels.npy`, sha256: sha256(y) } };
      writeFileAtomic(join(this.dir, files.features.name), x);
      writeFileAtomic(join(this.dir, files.labels.name), y);
      const meta: EntryMeta = { version: 1, key, dims: [...features.x.dims], count: features.y.dims[0] ?? 0, files, createdAt: new Date().toISOString() };
      writeFileAtomic(this.path(key), JSON.stringify(meta, null, 2) + '\n');
    } catch (e) {
      throw new FeatureCacheError(this.dir, `could not write the feature cache entry ${id} (${(e as Error).message}); check the folder is writable and has space, or pass another cache directory`);
    }
    return this.path(key);
  }

  /** Complete entries with their size on disk. */
  entries(): { id: string; key: FeatureCacheKey; count: number; dims: number[]; bytes: number }[] {
    if (!fileExists(this.dir)) return [];
    return listNames(this.dir)
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => {
        try {
          const meta = JSON.parse(readText(join(this.dir, f))) as EntryMeta;
          const bytes = [meta.files.features.name, meta.files.labels.name].reduce((s, n) => s + fileSize(join(this.dir, n)), 0);
          return [{ id: f.slice(0, -5), key: meta.key, count: meta.count, dims: meta.dims, bytes }];
        } catch {
          return [];
        }
      });
  }
}
