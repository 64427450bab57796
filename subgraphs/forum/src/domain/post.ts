import { badInput } from '@agora/kit/errors';
import { normalizeTags, requiredText } from '@agora/kit/text';

export const POST_TITLE_MAX = 200;
export const POST_BODY_MAX = 40_000;
export const POST_TAGS_MAX = 10;
export const POST_TAG_LENGTH_MAX = 40;

export interface PostContent {
  title: string;
  body: string;
  tags: string[];
}

const title = (value: string) => requiredText(value, { field: 'title', label: 'Title', max: POST_TITLE_MAX });
const body = (value: string) => requiredText(value, { field: 'body', label: 'Body', max: POST_BODY_MAX });
const tags = (value: readonly string[]) =>
  normalizeTags(value, { field: 'tags', maxCount: POST_TAGS_MAX, maxLength: POST_TAG_LENGTH_MAX });

/** Validates a new post's content. Throws BAD_USER_INPUT naming the field; no I/O. */
export function newPost(input: { title: string; body: string; tags?: readonly string[] | null }): PostContent {
  return { title: title(input.title), body: body(input.body), tags: tags(input.tags ?? []) };
}

/** Validates an edit: only the fields given change, and at least one must be. */
export function postChanges(input: {
  title?: string | null;
  body?: string | null;
  tags?: readonly string[] | null;
}): Partial<PostContent> {
  const changes: Partial<PostContent> = {};
  if (input.title !== undefined && input.title !== null) changes.title = title(input.title);
  if (input.body !== undefined && input.body !== null) changes.body = body(input.body);
  if (input.tags !== undefined && input.tags !== null) changes.tags = tags(input.tags);
  if (Object.keys(changes).length === 0) throw badInput('Give at least one of title, body and tags');
  return changes;
}
