import { describe, expect, it } from 'vitest';
import { crc32c, maskCrc32c } from './crc32c.js';

const bytes = (n: number, f: (i: number) => number) => Uint8Array.from({ length: n }, (_, i) => f(i));

describe('crc32c', () => {
  // RFC 3720 (iSCSI), appendix B.4: CRC-32C examples
  it('gives the RFC 3720 test vectors', () => {
    expect(crc32c(bytes(32, () => 0x00))).toBe(0x8a9136aa);
    expect(crc32c(bytes(32, () => 0xff))).toBe(0x62a8ab43);
    expect(crc32c(bytes(32, (i) => i))).toBe(0x46dd794e);
    expect(crc32c(bytes(32, (i) => 31 - i))).toBe(0x113fdb5c);
    const readPdu = [
      0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
      0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];
    expect(crc32c(Uint8Array.from(readPdu))).toBe(0xd9963a56);
  });

  it('gives the catalogue check value and continues over split input', () => {
    const text = new TextEncoder().encode('123456789');
    expect(crc32c(text)).toBe(0xe3069283);
    expect(crc32c(text.subarray(4), crc32c(text.subarray(0, 4)))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('masks as TFRecord does: rotate right by 15, add 0xa282ead8 mod 2^32', () => {
    const reference = (crc: number) => Number(((((BigInt(crc) >> 15n) | (BigInt(crc) << 17n)) & 0xffffffffn) + 0xa282ead8n) & 0xffffffffn);
    for (const crc of [0, 1, 0x7fff, 0x8000, 0xe3069283, 0xffffffff, 0x8a9136aa]) expect(maskCrc32c(crc)).toBe(reference(crc));
  });
});
