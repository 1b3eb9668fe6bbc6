/** Why an event file could not be read: `CRC_MISMATCH` (damaged), `TRUNCATED` (a record cut short), `BAD_EVENT` (not an Event protobuf), `NO_FILES` (a page has no file system). */
export type TensorBoardErrorCode = 'CRC_MISMATCH' | 'TRUNCATED' | 'BAD_EVENT' | 'NO_FILES';

/** An event file (or bytes of one) is damaged, cut short or not an event file; the message names the file and the byte offset. */
export class TensorBoardError extends Error {
  constructor(
    readonly code: TensorBoardErrorCode,
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
    this.name = 'TensorBoardError';
  }
}
