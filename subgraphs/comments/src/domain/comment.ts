import { requiredText } from '@agora/kit/text';

export const COMMENT_BODY_MAX = 10_000;

/** Validates a comment's body: 1..10 000 characters after trimming. Throws BAD_USER_INPUT; no I/O. */
export const commentBody = (body: string) =>
  requiredText(body, { field: 'body', label: 'Comment', max: COMMENT_BODY_MAX });
