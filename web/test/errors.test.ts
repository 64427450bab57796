import { CombinedError } from '@urql/core';
import { ERROR_CODES } from '@agora/kit/errors';
import { describeError } from '../src/errors';
import { charCount, emailProblem, handleProblem, lengthProblem, passwordProblem, tagsProblem } from '../src/limits';

const apiError = (code: string, message: string, extensions: Record<string, unknown> = {}) =>
  new CombinedError({ graphQLErrors: [{ message, extensions: { code, ...extensions } }] });

describe('API errors in plain words', () => {
  const UNKNOWN = 'Something went wrong on our side. Please try again in a moment.';

  it('has a sentence for every error code of the API, never the code itself', () => {
    // The codes come from the API's one list (kit/errors.ts): a code added there without a
    // sentence here falls back to "something went wrong" and fails this test.
    expect(ERROR_CODES.length).toBeGreaterThan(0);
    for (const code of ERROR_CODES) {
      const { general } = describeError(apiError(code, 'internal wording'));
      expect([code, general]).toEqual([code, [expect.stringMatching(/^[A-Z].*[.!?]$/)]]);
      expect([code, general[0]]).not.toEqual([code, UNKNOWN]);
      expect(general[0]).not.toContain(code);
    }
    expect(describeError(apiError('INTERNAL_SERVER_ERROR', 'boom')).general).toEqual([UNKNOWN]);
    expect(describeError(new CombinedError({ networkError: new TypeError('Failed to fetch') })).general).toEqual([
      'Agora cannot be reached right now. Check your connection and try again.',
    ]);
  });

  it('puts an error that names a field next to that field, when the form shows it', () => {
    const taken = apiError('CONFLICT', 'This handle is taken', { field: 'handle' });
    expect(describeError(taken, {}, ['email', 'handle'])).toEqual({
      general: [],
      fields: { handle: 'This handle is taken.' },
    });
    // A form without that field shows it with the form.
    expect(describeError(taken, {}, ['email'])).toEqual({ general: ['This handle is taken.'], fields: {} });
  });

  it('says technical fields for people, and the wait of a rate limit', () => {
    expect(
      describeError(apiError('BAD_USER_INPUT', 'dataBase64 is not valid base64', { field: 'dataBase64' })).general,
    ).toEqual(['This file is not an image Agora can read.']);
    expect(
      describeError(apiError('BAD_USER_INPUT', 'The image is over 10 MiB', { field: 'dataBase64' })).general,
    ).toEqual(['The image is over 10 MB.']);
    expect(
      describeError(apiError('BAD_USER_INPUT', 'parentId must be a comment on the same post', { field: 'parentId' }))
        .general,
    ).toEqual(['The comment you are replying to is no longer there.']);
    expect(describeError(apiError('RATE_LIMITED', 'Too many attempts', { retryAfter: 42 })).general).toEqual([
      'Too many attempts. Please wait 42 seconds and try again.',
    ]);
    // What a code means in one place can be said there.
    expect(describeError(apiError('FORBIDDEN', 'x'), { FORBIDDEN: 'You can’t follow Bob.' }).general).toEqual([
      'You can’t follow Bob.',
    ]);
  });
});

describe('the API’s limits, checked in the browser', () => {
  it('counts characters as the API does (code points, trimmed)', () => {
    expect(charCount('  😀😀 ')).toBe(2);
    expect(lengthProblem('Title', 'x'.repeat(200), { min: 1, max: 200 })).toBeUndefined();
    expect(lengthProblem('Title', 'x'.repeat(201), { min: 1, max: 200 })).toBe(
      'Title can be at most 200 characters (now 201).',
    );
    expect(lengthProblem('Title', '   ', { min: 1, max: 200 })).toBe('Title is required.');
    expect(lengthProblem('Panel name', 'ab', { min: 3, max: 80 })).toBe('Panel name needs at least 3 characters.');
  });

  it('checks tags, emails, handles and passwords by the API’s rules', () => {
    expect(tagsProblem('a, b, A, b')).toBeUndefined();
    expect(tagsProblem(Array.from({ length: 11 }, (_, i) => `t${i}`).join(','))).toBe('Use at most 10 tags (now 11).');
    expect(tagsProblem('x'.repeat(41))).toMatch(/at most 40 characters/);
    expect(emailProblem('Ada@Example.com ')).toBeUndefined();
    expect(emailProblem('ada@localhost')).toBeDefined();
    expect(handleProblem('Ada_1')).toBeUndefined();
    expect(handleProblem('ab')).toBeDefined();
    expect(handleProblem('ada-lovelace')).toBeDefined();
    const account = { email: 'ada@example.com', handle: 'ada' };
    expect(passwordProblem('Correct-horse-battery-9', account)).toBeUndefined();
    expect(passwordProblem('short', account)).toBe('Use 10 to 256 characters (now 5).');
    expect(passwordProblem('alllowercaseletters', account)).toMatch(/two kinds/);
    expect(passwordProblem('Ada-is-here-12345', account)).toMatch(/must not contain/);
    // Signing in: any password may be tried.
    expect(passwordProblem('x')).toBeUndefined();
  });
});
