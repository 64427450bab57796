import { refusal } from '@agora/kit/testing';
import { newPanel, slugify } from '../src/domain/panel';

describe('newPanel', () => {
  it('trims and collapses the name and derives a slug', () => {
    expect(newPanel({ name: '  Café   Crème ', description: ' hot ' })).toEqual({
      name: 'Café Crème',
      slug: 'cafe-creme',
      description: 'hot',
    });
  });

  it.each([
    ['empty', ''],
    ['too short', 'ab'],
    ['blank but long', '      '],
    ['too long', 'x'.repeat(81)],
  ])('refuses a name that is %s', (_label, name) => {
    expect(refusal(() => newPanel({ name }))).toEqual({ code: 'BAD_USER_INPUT', field: 'name' });
  });

  it('accepts the bounds, 3 and 80 characters', () => {
    expect(newPanel({ name: 'abc' }).slug).toBe('abc');
    expect(newPanel({ name: 'y'.repeat(80) }).name).toHaveLength(80);
  });

  it('refuses a name without letters or digits, which has no slug', () => {
    expect(refusal(() => newPanel({ name: '!!!' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'name' });
  });

  it('refuses an over-long description', () => {
    expect(refusal(() => newPanel({ name: 'Fine', description: 'd'.repeat(2001) }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'description',
    });
  });
});

describe('slugify', () => {
  it('makes names that differ only in case, accents or punctuation collide', () => {
    expect(slugify('Hello, World!')).toBe(slugify('hello world'));
    expect(slugify('Über Straße')).toBe('uber-strasse');
  });
});
