import { TransferError } from '../errors.js';

/**
 * An augmentation option is out of range, or the augmentation workers failed.
 * @example try { checkAugmentOptions({ flip: 2 }); } catch (e) { if (e instanceof AugmentError) console.error(e.option); }
 */
export class AugmentError extends TransferError {
  constructor(
    /** The option path, e.g. `crop.scale`, or `worker` for a failed worker. */
    readonly option: string,
    reason: string,
  ) {
    super('AUGMENT', `augmentation option ${option}: ${reason}`);
  }
}
