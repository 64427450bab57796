import { badInput } from '@agora/kit/errors';
import { normalizeTags, requiredText } from '@agora/kit/text';
import { detectImageType, IMAGE_TYPES, isImageType, type ImageType } from './image-type';

export type PictureStatus = 'PROCESSING' | 'READY' | 'FAILED';

/** Largest accepted original: 10 MiB once decoded. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
/** Base64 of MAX_UPLOAD_BYTES: longer text is refused before decoding anything. */
export const MAX_BASE64_LENGTH = Math.ceil(MAX_UPLOAD_BYTES / 3) * 4;
/** Largest accepted image, in pixels (per frame): decoding cost and memory are bounded by it. */
export const MAX_PIXELS = 40_000_000;
/** Thumbnails fit in a square of this many pixels. */
export const THUMBNAIL_SIZE = 320;

export const TITLE_MAX = 120;
export const TAGS_MAX = 10;
export const TAG_LENGTH_MAX = 40;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export interface UploadInput {
  title: string;
  tags?: readonly string[] | null;
  dataBase64: string;
  contentType: string;
}

/** A checked upload: its bytes start like the image type they claim to be. */
export interface NewUpload {
  title: string;
  tags: string[];
  contentType: ImageType;
  bytes: Buffer;
}

/**
 * Validates an upload's fields and decodes its bytes; throws BAD_USER_INPUT. The type comes
 * from the bytes' magic number, and a claimed type that disagrees is refused rather than
 * trusted either way: a client that mislabels its data has a bug worth reporting.
 * Cheap checks run first, so oversized or malformed data is refused before it is decoded.
 */
export function newUpload(input: UploadInput): NewUpload {
  const title = requiredText(input.title, { field: 'title', label: 'Title', max: TITLE_MAX });
  const tags = pictureTags(input.tags ?? []);
  const claimed = input.contentType.trim().toLowerCase();
  if (!isImageType(claimed)) {
    throw badInput(`contentType must be one of ${IMAGE_TYPES.join(', ')}`, 'contentType');
  }
  const bytes = decodeBase64(input.dataBase64);
  const detected = detectImageType(bytes);
  if (!detected) throw badInput('The data is not a PNG, JPEG, WebP or GIF image', 'dataBase64');
  if (detected !== claimed) {
    throw badInput(`The data is ${detected}, not the claimed ${claimed}`, 'contentType');
  }
  return { title, tags, contentType: detected, bytes };
}

/** Strict standard base64: the alphabet, padding to a multiple of 4, nothing else; 1 byte to 10 MiB. */
export function decodeBase64(text: string): Buffer {
  if (text.length > MAX_BASE64_LENGTH) {
    throw badInput(`The image is over ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB`, 'dataBase64');
  }
  if (text.length === 0) throw badInput('The image is empty', 'dataBase64');
  if (text.length % 4 !== 0 || !BASE64.test(text)) {
    throw badInput('dataBase64 is not valid base64 (standard alphabet, padded, no spaces)', 'dataBase64');
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length > MAX_UPLOAD_BYTES) {
    throw badInput(`The image is over ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB`, 'dataBase64');
  }
  return bytes;
}

/** Tags follow the posts' rules (kit/text), so one tag names both posts and pictures. */
export const pictureTags = (tags: readonly string[]) =>
  normalizeTags(tags, { field: 'tags', maxCount: TAGS_MAX, maxLength: TAG_LENGTH_MAX });

/** A `tag` filter, normalized like stored tags. */
export const tagFilter = (tag: string) =>
  normalizeTags([tag], { field: 'tag', maxCount: 1, maxLength: TAG_LENGTH_MAX })[0]!;

/** Refuses images whose header declares more than MAX_PIXELS, before anything decodes them. */
export function checkDimensions(width: number, height: number): void {
  if (!(width > 0 && height > 0)) throw badInput('The image has no size', 'dataBase64');
  if (width * height > MAX_PIXELS) {
    throw badInput(`The image is ${width}×${height}: over the ${MAX_PIXELS / 1_000_000} megapixel limit`, 'dataBase64');
  }
}
