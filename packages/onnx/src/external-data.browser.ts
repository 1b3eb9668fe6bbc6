// The browser twin of external-data.ts (package.json "imports" #external-data, browser condition).
import { OnnxError } from './errors.js';
import type { ModelProto } from './types.js';

export function resolveExternalData(_model: ModelProto, folder: string): void {
  throw new OnnxError('NO_FILE_SYSTEM', `external data next to a model ('${folder}') needs a file system, which a browser does not have; save the model without external data (saveModel without externalDataThreshold) to load it in a browser`);
}
