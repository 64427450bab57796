import { refusal } from '@agora/kit/testing';
import { checkPassword, newAccount, normalizeEmail, normalizeHandle } from '../src/domain/credentials';
import { LOGIN_WINDOW_MS, loginWindow } from '../src/domain/login-limit';
import { rolesOf } from '../src/domain/roles';

describe('newAccount', () => {
  it('normalises email and handle, and defaults the display name to the handle', () => {
    expect(newAccount({ email: '  Ada@Example.COM ', password: 'Analytical-1843', handle: ' Ada_L ' })).toEqual({
      email: 'ada@example.com',
      handle: 'ada_l',
      displayName: 'ada_l',
      password: 'Analytical-1843',
    });
    expect(
      newAccount({ email: 'a@b.co', password: 'Analytical-1843', handle: 'abc', displayName: ' Ada ' }).displayName,
    ).toBe('Ada');
  });

  it('names the first bad field', () => {
    expect(refusal(() => newAccount({ email: 'nope', password: 'x', handle: '!' }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'email',
    });
    expect(refusal(() => newAccount({ email: 'a@b.co', password: 'x', handle: '!' }))?.field).toBe('handle');
    expect(refusal(() => newAccount({ email: 'a@b.co', password: 'x', handle: 'abc' }))?.field).toBe('password');
    expect(
      refusal(() => newAccount({ email: 'a@b.co', password: 'Analytical-1843', handle: 'abc', displayName: '' }))
        ?.field,
    ).toBe('displayName');
  });
});

describe('normalizeEmail', () => {
  it.each(['user@example.com', 'first.last+tag@sub.example.org', 'x@a-b.io'])('accepts %s', (email) => {
    expect(normalizeEmail(email)).toBe(email);
  });

  it.each([
    ['no at', 'user.example.com'],
    ['two ats', 'a@b@example.com'],
    ['no domain dot', 'user@localhost'],
    ['a space', 'us er@example.com'],
    ['empty name', '@example.com'],
    ['a dash-ended label', 'user@example-.com'],
    ['too long', `${'a'.repeat(250)}@example.com`],
  ])('refuses an email with %s', (_label, email) => {
    expect(refusal(() => normalizeEmail(email))).toEqual({ code: 'BAD_USER_INPUT', field: 'email' });
  });
});

describe('normalizeHandle', () => {
  it('lower-cases, and accepts 3 to 30 of a-z 0-9 _', () => {
    expect(normalizeHandle('Abc')).toBe('abc');
    expect(normalizeHandle('a'.repeat(30))).toHaveLength(30);
    expect(normalizeHandle('snake_case_9')).toBe('snake_case_9');
  });

  it.each(['ab', 'a'.repeat(31), 'with-dash', 'with space', 'accént', ''])('refuses %j', (handle) => {
    expect(refusal(() => normalizeHandle(handle))).toEqual({ code: 'BAD_USER_INPUT', field: 'handle' });
  });
});

describe('checkPassword', () => {
  const account = { email: 'grace@example.com', handle: 'hopper' };

  it('accepts 10+ characters of two kinds or more', () => {
    expect(() => checkPassword('lowercase-words', account)).not.toThrow();
    expect(() => checkPassword('1234567890a', account)).not.toThrow();
    expect(() => checkPassword('ÜBER-SICHER', account)).not.toThrow();
  });

  it.each([
    ['too short', 'Short-1'],
    ['too long', `Aa1${'x'.repeat(254)}`],
    ['one kind only (lower)', 'onlylowercaseletters'],
    ['one kind only (digits)', '12345678901234'],
    ['the handle in it', 'my-HOPPER-pass'],
    ['the email name in it', 'xGrace2024!x'],
  ])('refuses a password with %s', (_label, password) => {
    expect(refusal(() => checkPassword(password, account))).toEqual({ code: 'BAD_USER_INPUT', field: 'password' });
  });

  it('counts characters, not UTF-16 units', () => {
    expect(refusal(() => checkPassword('😀😀😀😀😀a', account))?.field).toBe('password');
    expect(() => checkPassword('😀😀😀😀😀abcde', account)).not.toThrow();
  });
});

describe('roles', () => {
  it('makes every account a user, with only the grantable roles granted to it on top', () => {
    expect(rolesOf([])).toEqual(['user']);
    expect(rolesOf(['admin'])).toEqual(['user', 'admin']);
    expect(rolesOf(['superuser', 'user'])).toEqual(['user']);
  });
});

describe('loginWindow', () => {
  it('aligns windows on the clock and says how long until the next one', () => {
    expect(loginWindow(5 * LOGIN_WINDOW_MS)).toEqual({ index: 5, retryAfterSeconds: 60 });
    expect(loginWindow(5 * LOGIN_WINDOW_MS + 59_500)).toEqual({ index: 5, retryAfterSeconds: 1 });
    expect(loginWindow(5 * LOGIN_WINDOW_MS + 30_000).retryAfterSeconds).toBe(30);
  });
});
