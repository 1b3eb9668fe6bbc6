// sharp (libvips), which decodes and resizes images for @anneal/transfer in Node. The browser build
// swaps this module for sharp.browser.ts (package.json "imports" #sharp): a page draws images on a
// canvas and hands the RGBA bytes to preprocessRgba instead.
import sharp from 'sharp';

export default sharp;
