import { refusal } from '@agora/kit/testing';
import { newPost, postChanges } from '../src/domain/post';

describe('newPost', () => {
  it('trims title and body, and trims, lower-cases and dedupes tags, keeping their order', () => {
    expect(newPost({ title: '  Hi  ', body: '\n body \n', tags: [' B ', 'a', 'b', 'Two  Words'] })).toEqual({
      title: 'Hi',
      body: 'body',
      tags: ['b', 'a', 'two words'],
    });
    expect(newPost({ title: 't', body: 'b' }).tags).toEqual([]);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(newPost({ title: '𝄞'.repeat(200), body: 'b' }).title).toHaveLength(400);
    expect(refusal(() => newPost({ title: '𝄞'.repeat(201), body: 'b' }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'title',
    });
  });

  it('counts tags after deduplication', () => {
    const tags = [...Array.from({ length: 10 }, (_, i) => `t${i}`), 'T0', ' t1 '];
    expect(newPost({ title: 't', body: 'b', tags }).tags).toHaveLength(10);
  });
});

describe('postChanges', () => {
  it('keeps only the fields given, validated', () => {
    expect(postChanges({ title: ' New ' })).toEqual({ title: 'New' });
    expect(postChanges({ body: 'x', tags: [], title: null })).toEqual({ body: 'x', tags: [] });
  });

  it('refuses an empty edit and bad fields', () => {
    expect(refusal(() => postChanges({}))).toEqual({ code: 'BAD_USER_INPUT' });
    expect(refusal(() => postChanges({ title: null, body: null }))).toEqual({ code: 'BAD_USER_INPUT' });
    expect(refusal(() => postChanges({ body: '' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'body' });
    expect(refusal(() => postChanges({ tags: ['a'.repeat(41)] }))).toEqual({ code: 'BAD_USER_INPUT', field: 'tags' });
  });
});
