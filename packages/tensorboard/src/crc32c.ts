// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as TFRecord frames use it. A byte-wise
// table in plain JavaScript: it runs in Node and in pages alike, and the records it checks are
// small (one event each), so the native crates' speed buys nothing here.

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * CRC-32C of `bytes`; pass a previous result as `crc` to continue over more bytes.
 *
 * @example
 * crc32c(new TextEncoder().encode('123456789')); // 0xe3069283
 */
export function crc32c(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * The masked CRC that TFRecord stores: `((crc >>> 15) | (crc << 17)) + 0xa282ead8` mod 2^32
 * (a CRC of data that holds CRCs is otherwise weak).
 *
 * @example
 * maskCrc32c(crc32c(bytes));
 */
export function maskCrc32c(crc: number): number {
  const rotated = ((crc >>> 15) | (crc << 17)) >>> 0;
  return (rotated + 0xa282ead8) >>> 0;
}
