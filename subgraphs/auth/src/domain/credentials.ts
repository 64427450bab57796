import { badInput } from '@agora/kit/errors';
import { displayName } from '@agora/kit/profile';

export const EMAIL_MAX = 254;
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;
export const HANDLE_RULE = '3 to 30 characters of a-z, 0-9 and _';

// One @, no spaces, a dotted domain of letters, digits and dashes: what a mail server would accept, roughly.
const EMAIL = /^[^\s@"(),:;<>[\]\\]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;
const HANDLE = /^[a-z0-9_]{3,30}$/;

/** Emails are compared case-insensitively: stored trimmed and lower-cased. */
export function normalizeEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length > EMAIL_MAX || !EMAIL.test(email)) throw badInput('Email address is malformed', 'email');
  return email;
}

/** Handles are case-insensitive: stored lower-cased. */
export function normalizeHandle(raw: string): string {
  const handle = raw.trim().toLowerCase();
  if (!HANDLE.test(handle)) throw badInput(`Handle must be ${HANDLE_RULE}`, 'handle');
  return handle;
}

/**
 * A password is weak when it is short, made of one kind of character only (lower case,
 * upper case, digits, others), or contains the account's email name or handle.
 */
export function checkPassword(password: string, account: { email: string; handle: string }): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
    throw badInput(`Password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`, 'password');
  }
  const kinds = [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{Ll}\p{Lu}\p{Nd}]/u].filter((kind) => kind.test(password));
  if (kinds.length < 2) {
    throw badInput(
      'Password must mix at least two kinds of characters: lower case, upper case, digits, others',
      'password',
    );
  }
  const lower = password.toLowerCase();
  const emailName = account.email.split('@')[0]!;
  if ((emailName.length >= 3 && lower.includes(emailName)) || lower.includes(account.handle)) {
    throw badInput('Password must not contain your email or handle', 'password');
  }
}

export interface NewAccount {
  email: string;
  handle: string;
  displayName: string;
  password: string;
}

/** Validates a registration; throws BAD_USER_INPUT naming the first bad field. No I/O. */
export function newAccount(input: {
  email: string;
  password: string;
  handle: string;
  displayName?: string | null;
}): NewAccount {
  const email = normalizeEmail(input.email);
  const handle = normalizeHandle(input.handle);
  checkPassword(input.password, { email, handle });
  return { email, handle, displayName: displayName(input.displayName ?? handle), password: input.password };
}
