import type { CombinedError } from 'urql';

/**
 * API errors in plain words. Every error code of the API (and a lost connection) has a
 * sentence; BAD_USER_INPUT and CONFLICT messages are the server's own (written for people:
 * "This handle is taken"), except where they name a technical field. An error that names a
 * field (`extensions.field`) is shown next to that field; the rest next to the form.
 */
export type ErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'RATE_LIMITED';

const SENTENCES: Record<ErrorCode | 'NETWORK' | 'UNKNOWN', string> = {
  UNAUTHENTICATED: 'Please sign in to do that.',
  FORBIDDEN: 'You are not allowed to do that.',
  BAD_USER_INPUT: 'Some of what you entered is not accepted. Check the fields and try again.',
  NOT_FOUND: 'This could not be found. It may have been deleted.',
  CONFLICT: 'This clashes with something that already exists.',
  RATE_LIMITED: 'Too many attempts. Please wait a moment and try again.',
  NETWORK: 'Agora cannot be reached right now. Check your connection and try again.',
  UNKNOWN: 'Something went wrong on our side. Please try again in a moment.',
};

/** Server messages about technical fields, said for people. */
const FIELD_SENTENCES: Record<string, (message: string) => string> = {
  dataBase64: (message) =>
    /MiB|megapixel/.test(message) ? message.replace(/MiB/, 'MB') + '.' : 'This file is not an image Agora can read.',
  contentType: () => 'The file’s contents do not match its type. Use a PNG, JPEG, WebP or GIF image.',
  parentId: () => 'The comment you are replying to is no longer there.',
  after: () => 'This list changed while you were reading it. Reload the page to see the latest.',
  first: () => SENTENCES.UNKNOWN,
  userId: (message) =>
    /yourself/.test(message) ? message.replace('You cannot', 'You can’t') + '.' : SENTENCES.UNKNOWN,
};

export interface DescribedError {
  /** Sentences for the form as a whole. */
  general: string[];
  /** Sentences for one field each, by the API's field name. */
  fields: Record<string, string>;
}

export type Overrides = Partial<Record<ErrorCode, string>>;

const sentence = (text: string) => {
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
};

/**
 * `overrides` says what a code means in this place ("You can’t follow this person" for a
 * FORBIDDEN follow); `fieldNames` lists the fields the form shows, the others' errors go to
 * the general list.
 */
export function describeError(
  error: CombinedError | undefined,
  overrides: Overrides = {},
  fieldNames: string[] = [],
): DescribedError {
  const described: DescribedError = { general: [], fields: {} };
  if (!error) return described;
  if (error.networkError) described.general.push(SENTENCES.NETWORK);
  for (const e of error.graphQLErrors) {
    const code = String(e.extensions?.code ?? '') as ErrorCode;
    const field = typeof e.extensions?.field === 'string' ? e.extensions.field : undefined;
    let text: string;
    if (overrides[code]) text = overrides[code];
    else if (code === 'BAD_USER_INPUT' || code === 'CONFLICT') {
      text = field && FIELD_SENTENCES[field] ? FIELD_SENTENCES[field](e.message) : sentence(e.message);
    } else if (code === 'RATE_LIMITED' && typeof e.extensions?.retryAfter === 'number') {
      const seconds = Math.max(1, Math.ceil(e.extensions.retryAfter));
      text = `Too many attempts. Please wait ${seconds} second${seconds === 1 ? '' : 's'} and try again.`;
    } else text = SENTENCES[code] ?? SENTENCES.UNKNOWN;
    if (field && fieldNames.includes(field) && !described.fields[field]) described.fields[field] = text;
    else if (!described.general.includes(text)) described.general.push(text);
  }
  return described;
}

/** True when the error is the API's `code` (for a page that treats, say, NOT_FOUND as "gone"). */
export const hasCode = (error: CombinedError | undefined, code: ErrorCode) =>
  error?.graphQLErrors.some((e) => e.extensions?.code === code) ?? false;
