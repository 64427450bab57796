import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** Test images, made on the fly. */

/** A real image of one colour with a gradient-free body, in the given format. */
export async function solidImage(width: number, height: number, format: 'png' | 'jpeg' | 'webp' | 'gif' = 'png') {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 90, b: 40 } } })
    .toFormat(format)
    .toBuffer();
}

/** A PNG whose header (IHDR, with a correct CRC) declares `width`×`height`, followed by `idat` as its data. */
export function craftedPng(width: number, height: number, idat: Buffer): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A tiny file declaring 100000×100000 pixels: 30 GB once decoded. */
export const decompressionBomb = () => craftedPng(100_000, 100_000, deflateSync(Buffer.alloc(4096)));

/** A valid PNG header with garbage for pixel data: readable dimensions, undecodable body. */
export const corruptPng = () => craftedPng(64, 64, Buffer.from('this is not zlib data, just garbage '.repeat(4)));
