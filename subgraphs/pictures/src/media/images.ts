import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { badInput } from '@agora/kit/errors';
import { MAX_PIXELS, THUMBNAIL_SIZE } from '../domain/picture';

const FORMATS: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif' };

export interface ImageSize {
  width: number;
  height: number;
}

/**
 * Reads an image's type and displayed size (EXIF orientation applied) from its header
 * only: nothing is decoded, so a decompression bomb costs nothing here and the caller can
 * refuse it by its declared size. BAD_USER_INPUT when no header can be read.
 */
export async function probeImage(bytes: Buffer): Promise<ImageSize & { contentType: string }> {
  try {
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    const contentType = FORMATS[meta.format];
    if (!contentType) throw new Error(`unsupported format ${meta.format}`);
    return { contentType, width: meta.autoOrient.width, height: meta.autoOrient.height };
  } catch {
    throw badInput('The image header cannot be read', 'dataBase64');
  }
}

/**
 * Decodes the image (its first frame) and encodes a WebP that fits in THUMBNAIL_SIZE².
 * Throws on an image that does not decode fully; `limitInputPixels` guards the decoder again.
 */
export async function makeThumbnail(original: Buffer): Promise<ImageSize & { data: Buffer }> {
  const { data, info } = await sharp(original, { limitInputPixels: MAX_PIXELS, failOn: 'error' })
    .autoOrient()
    .resize({ width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE, fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Hex SHA-256 of the bytes: what the stored files are checked and served (ETag) by. */
export const contentHash = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
