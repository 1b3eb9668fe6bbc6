import { ShapeMismatchError, TransferError } from '../errors.js';

/**
 * An image file (or buffer) could not be decoded or processed by sharp.
 * @example
 * try { await preprocessImage('cats/0001.jpg', { size: [224, 224] }); }
 * catch (e) { if (e instanceof ImageDecodeError) console.error(`bad file: ${e.file}`); }
 */
export class ImageDecodeError extends TransferError {
  constructor(
    /** The file path, or `<buffer>` for in-memory input. */
    readonly file: string,
    /** sharp's own reason, e.g. `VipsJpeg: premature end of JPEG image`. */
    readonly reason: string,
  ) {
    const fix = file === '<buffer>'
      ? 'Pass the complete bytes of a PNG, JPEG, WebP, GIF, TIFF or AVIF image.'
      : 'Remove or replace the file, or leave its extension out of the `extensions` option so it is not read.';
    super('IMAGE_DECODE', `${file}: cannot decode image (${reason}). ${fix}`);
  }
}

/**
 * An image folder is not laid out as `dir/<class>/<image>` with at least one image per class,
 * or the `extensions` option names a format sharp cannot read.
 * @example
 * try { await loadImageFolder('data/train', { size: [224, 224] }); }
 * catch (e) { if (e instanceof ImageFolderError) console.error(e.dir, e.message); }
 */
export class ImageFolderError extends TransferError {
  constructor(
    /** The folder the problem is in (the root, or one class folder). */
    readonly dir: string,
    message: string,
  ) {
    super('IMAGE_FOLDER', `${dir}: ${message}`);
  }
}

/**
 * An `ImagePreprocess` option is out of range; `field` names it (e.g. `std[1]`).
 * @example
 * try { preprocessDims({ size: [0, 28] }); }
 * catch (e) { if (e instanceof ImagePreprocessError) console.error(e.field); } // 'size'
 */
export class ImagePreprocessError extends TransferError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('IMAGE_PREPROCESS', `image preprocess option '${field}': ${message}`);
  }
}

/**
 * Per-example data dims do not fit a backbone input; the message names the likely fix
 * (the `layout`, `channels` or `size` option of the image preprocess).
 * @example
 * try { checkInputLayout({ name: 'pixel_values', dims: [3, 224, 224] }, [224, 224, 3], 'NHWC'); }
 * catch (e) { if (e instanceof InputLayoutError) console.error(e.message); } // ... set layout: 'NCHW' ...
 */
export class InputLayoutError extends ShapeMismatchError {}
