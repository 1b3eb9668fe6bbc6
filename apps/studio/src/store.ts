// What survives a reload, in IndexedDB: the project (classes, settings, preprocessing, which
// backbone), every image as the bytes it was added with, a dropped backbone's bytes, and the last
// checkpoint of the run (safetensors bytes from @anneal/runtime's encoding, with its metadata).
import type { ImagePreprocess } from '@anneal/transfer';
import type { TrainSettings } from './trainer/run-config.js';
import type { CheckpointMeta } from './trainer/studio-checkpoint.js';

export interface StudioClass {
  id: string;
  name: string;
}

export interface StoredProject {
  classes: StudioClass[];
  settings: TrainSettings;
  preprocess: ImagePreprocess;
  /** 'auto' trains on WebGPU when the browser has it, else on wasm. */
  device: 'auto' | 'wasm' | 'webgpu';
  /** The default backbone, or one the user dropped (its bytes are under the 'backbone' key). */
  backbone: { kind: 'default' } | { kind: 'custom'; name: string };
}

export interface StoredImage {
  id: string;
  classId: string;
  name: string;
  blob: Blob;
  added: number;
}

/** The last checkpoint: its bytes and where the run was when it was written. */
export interface StoredCheckpoint {
  bytes: Uint8Array;
  meta: CheckpointMeta;
  /** 'running' when the page went away mid-training (a reload continues), 'cancelled' or 'finished' otherwise. */
  status: 'running' | 'cancelled' | 'finished';
}

const DB = 'anneal-studio';

const done = <T>(r: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });

/** The page's IndexedDB database: a key-value store and the images. */
export class StudioStore {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(): Promise<StudioStore> {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore('kv');
      request.result.createObjectStore('images', { keyPath: 'id' });
    };
    return new StudioStore(await done(request));
  }

  private store(name: 'kv' | 'images', mode: IDBTransactionMode): IDBObjectStore {
    return this.db.transaction(name, mode).objectStore(name);
  }

  get<T>(key: 'project' | 'backbone' | 'checkpoint'): Promise<T | undefined> {
    return done(this.store('kv', 'readonly').get(key)) as Promise<T | undefined>;
  }

  async put(key: 'project', value: StoredProject): Promise<void>;
  async put(key: 'backbone', value: Uint8Array): Promise<void>;
  async put(key: 'checkpoint', value: StoredCheckpoint): Promise<void>;
  async put(key: string, value: unknown): Promise<void> {
    await done(this.store('kv', 'readwrite').put(value, key));
  }

  async delete(key: 'backbone' | 'checkpoint'): Promise<void> {
    await done(this.store('kv', 'readwrite').delete(key));
  }

  images(): Promise<StoredImage[]> {
    return done(this.store('images', 'readonly').getAll() as IDBRequest<StoredImage[]>).then((all) => all.sort((a, b) => a.added - b.added));
  }

  async addImages(images: StoredImage[]): Promise<void> {
    const store = this.store('images', 'readwrite');
    await Promise.all(images.map((i) => done(store.put(i))));
  }

  async deleteImages(ids: string[]): Promise<void> {
    const store = this.store('images', 'readwrite');
    await Promise.all(ids.map((id) => done(store.delete(id))));
  }

  /** Removes everything (the page's "start over"). */
  async clear(): Promise<void> {
    await Promise.all([done(this.store('kv', 'readwrite').clear()), done(this.store('images', 'readwrite').clear())]);
  }
}
