import { refusal } from '@agora/kit/testing';
import { profileChanges } from '../src/domain/profile';
import { otherUser } from '../src/domain/relations';

describe('profileChanges', () => {
  it('trims what is given and leaves out what is not', () => {
    expect(profileChanges({ displayName: '  Ada  ' })).toEqual({ displayName: 'Ada' });
    expect(profileChanges({ bio: '  hello ', displayName: null })).toEqual({ bio: 'hello' });
    expect(profileChanges({ bio: '   ' })).toEqual({ bio: '' });
    expect(profileChanges({})).toEqual({});
  });

  it('accepts the bounds', () => {
    expect(profileChanges({ displayName: 'x'.repeat(50), bio: 'b'.repeat(500) })).toEqual({
      displayName: 'x'.repeat(50),
      bio: 'b'.repeat(500),
    });
  });

  it.each([
    ['an empty display name', { displayName: '  ' }, 'displayName'],
    ['a long display name', { displayName: 'x'.repeat(51) }, 'displayName'],
    ['a long bio', { bio: 'b'.repeat(501) }, 'bio'],
    ['a NUL in the bio', { bio: 'a\u0000b' }, 'bio'],
  ])('refuses %s', (_label, input, field) => {
    expect(refusal(() => profileChanges(input))).toEqual({ code: 'BAD_USER_INPUT', field });
  });
});

describe('otherUser', () => {
  it('refuses to relate someone to themself', () => {
    expect(otherUser('follow', 'a', 'b')).toBe('b');
    expect(refusal(() => otherUser('block', 'a', 'a'))).toEqual({ code: 'BAD_USER_INPUT', field: 'userId' });
  });
});
