import { refusal } from '@agora/kit/testing';
import { detectImageType } from '../src/domain/image-type';
import {
  checkDimensions,
  decodeBase64,
  MAX_BASE64_LENGTH,
  MAX_UPLOAD_BYTES,
  newUpload,
  tagFilter,
} from '../src/domain/picture';
import { corruptPng, decompressionBomb, solidImage } from './images';

describe('detectImageType', () => {
  it('reads the type from the magic number of real images', async () => {
    expect(detectImageType(await solidImage(4, 4, 'png'))).toBe('image/png');
    expect(detectImageType(await solidImage(4, 4, 'jpeg'))).toBe('image/jpeg');
    expect(detectImageType(await solidImage(4, 4, 'webp'))).toBe('image/webp');
    expect(detectImageType(await solidImage(4, 4, 'gif'))).toBe('image/gif');
    expect(detectImageType(corruptPng())).toBe('image/png');
  });

  it('answers null for anything else, truncated signatures included', () => {
    for (const bytes of [
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
      Buffer.from('%PDF-1.7'),
      Buffer.from([0x89, 0x50, 0x4e]),
      Buffer.from('RIFF\0\0\0\0WAVEfmt '),
      Buffer.alloc(0),
    ]) {
      expect(detectImageType(bytes)).toBeNull();
    }
  });
});

describe('decodeBase64', () => {
  it('decodes standard padded base64', () => {
    expect(decodeBase64(Buffer.from('hello!').toString('base64')).toString()).toBe('hello!');
    expect(decodeBase64('aGk=').toString()).toBe('hi');
  });

  it('refuses anything not strictly base64, with BAD_USER_INPUT on dataBase64', () => {
    for (const text of [
      '',
      'aGk',
      'aGk=x',
      'a Gk=',
      'aGk=\n',
      'aG-_',
      'aGk==a==',
      '====',
      'data:image/png;base64,aGk=',
    ]) {
      expect(refusal(() => decodeBase64(text))).toEqual({ code: 'BAD_USER_INPUT', field: 'dataBase64' });
    }
  });

  it('accepts exactly 10 MiB and refuses one byte more', () => {
    expect(decodeBase64(Buffer.alloc(MAX_UPLOAD_BYTES).toString('base64'))).toHaveLength(MAX_UPLOAD_BYTES);
    expect(refusal(() => decodeBase64(Buffer.alloc(MAX_UPLOAD_BYTES + 1).toString('base64')))).toMatchObject({
      code: 'BAD_USER_INPUT',
    });
  });

  it('refuses an over-long text by its length alone, before checking or decoding it', () => {
    // Not base64 at all: refused as too large (not as malformed) shows the length came first.
    const texts = ['!'.repeat(MAX_BASE64_LENGTH + 1), 'A'.repeat(MAX_BASE64_LENGTH + 4)];
    const from = jest.spyOn(Buffer, 'from');
    const test = jest.spyOn(RegExp.prototype, 'test');
    const messages = texts.map((text) => {
      try {
        decodeBase64(text);
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    });
    const calls = { from: from.mock.calls.length, test: test.mock.calls.length };
    from.mockRestore();
    test.mockRestore();
    expect(messages).toEqual(texts.map(() => `The image is over ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB`));
    expect(calls).toEqual({ from: 0, test: 0 });
    // At the limit the same text is checked (and refused) as malformed instead.
    expect(() => decodeBase64('!'.repeat(MAX_BASE64_LENGTH))).toThrow('not valid base64');
  });
});

describe('newUpload', () => {
  const input = async () => ({
    title: '  Sunset   over the bay ',
    tags: ['Sea', 'sunset', 'SEA'],
    dataBase64: (await solidImage(8, 8, 'png')).toString('base64'),
    contentType: 'image/png',
  });

  it('trims the title, normalizes the tags and keeps the bytes', async () => {
    const upload = newUpload(await input());
    expect(upload).toMatchObject({ title: 'Sunset   over the bay', tags: ['sea', 'sunset'], contentType: 'image/png' });
    expect(upload.bytes.equals(Buffer.from((await input()).dataBase64, 'base64'))).toBe(true);
  });

  it('refuses bytes that are not an image, whatever the claimed type', async () => {
    const text = Buffer.from('definitely not a picture').toString('base64');
    expect(refusal(() => newUpload({ title: 't', dataBase64: text, contentType: 'image/png' }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'dataBase64',
    });
  });

  it('refuses a claimed type that the bytes contradict, and types that are not ours', async () => {
    const png = await input();
    expect(refusal(() => newUpload({ ...png, contentType: 'image/jpeg' }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'contentType',
    });
    expect(refusal(() => newUpload({ ...png, contentType: 'image/svg+xml' }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'contentType',
    });
    expect(newUpload({ ...png, contentType: ' IMAGE/PNG ' }).contentType).toBe('image/png');
  });

  it('refuses bad titles and tags', async () => {
    const ok = await input();
    expect(refusal(() => newUpload({ ...ok, title: '   ' }))).toMatchObject({ field: 'title' });
    expect(refusal(() => newUpload({ ...ok, title: 'x'.repeat(121) }))).toMatchObject({ field: 'title' });
    expect(refusal(() => newUpload({ ...ok, tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }))).toMatchObject({
      field: 'tags',
    });
    expect(refusal(() => newUpload({ ...ok, tags: [''] }))).toMatchObject({ field: 'tags' });
  });
});

describe('dimension and tag rules', () => {
  it('allows up to 40 megapixels', () => {
    expect(() => checkDimensions(8000, 5000)).not.toThrow();
    expect(refusal(() => checkDimensions(8000, 5001))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(refusal(() => checkDimensions(100_000, 100_000))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(refusal(() => checkDimensions(0, 10))).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('normalizes a tag filter like stored tags', () => {
    expect(tagFilter('  Sunset ')).toBe('sunset');
    expect(refusal(() => tagFilter(' '))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tag' });
  });

  it('has test images that do what they say', () => {
    expect(decompressionBomb().length).toBeLessThan(1024);
    expect(detectImageType(decompressionBomb())).toBe('image/png');
  });
});
