// The browser twin of sharp.ts (package.json "imports" #sharp, browser condition): libvips is a
// native Node addon, so decoding files and raw pixels through sharp says what to do in a page.
import type sharpType from 'sharp';
import { TransferError } from '../errors.js';

const noSharp = (): never => {
  throw new TransferError('NO_SHARP', 'sharp (libvips) decodes images in Node only; in a browser, draw the image on a canvas (fitBox says where) and pass its RGBA bytes to preprocessRgba');
};

function sharp(): never {
  return noSharp();
}
Object.defineProperty(sharp, 'format', { get: noSharp });

export default sharp as unknown as typeof sharpType;
