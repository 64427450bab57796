import { badInput } from '@agora/kit/errors';
import { isUuid } from '@agora/kit/ids';
import { decodeCursor, encodeCursor, pageSize } from '@agora/kit/pagination';
import { charLength, normalizeTags } from '@agora/kit/text';
import { SEARCH_TYPES, type SearchType } from './document';

export const MAX_QUERY_LENGTH = 256;
export const MAX_TAG_FILTERS = 10;
const TAG_LENGTH_MAX = 40;
export const MAX_SUGGESTIONS = 50;

/** A search request, checked and normalized. */
export interface SearchRequest {
  /** The query as typed, trimmed (web-search syntax). */
  text: string;
  /** The last word, when it is a bare word still being typed: it also matches as a prefix. */
  prefix: string | null;
  types: SearchType[] | null;
  tags: string[] | null;
  size: number;
  after: Position | null;
}

/** Where a page starts: after the result with this score and id. */
export interface Position {
  score: number;
  id: string;
}

export function searchRequest(args: {
  query: string;
  types?: readonly string[] | null;
  tags?: readonly string[] | null;
  first?: number | null;
  after?: string | null;
}): SearchRequest {
  const text = args.query.trim().replace(/\s+/g, ' ');
  if (text.length === 0) throw badInput('Type something to search for', 'query');
  if (charLength(text) > MAX_QUERY_LENGTH) {
    throw badInput(`A search is at most ${MAX_QUERY_LENGTH} characters`, 'query');
  }
  if (text.includes('\u0000')) throw badInput('A search must not contain NUL characters', 'query');
  const types = args.types?.length ? [...new Set(args.types)] : null;
  if (types?.some((t) => !SEARCH_TYPES.includes(t as SearchType))) throw badInput('Unknown search type', 'types');
  const tags = args.tags?.length
    ? normalizeTags(args.tags, { field: 'tags', maxCount: MAX_TAG_FILTERS, maxLength: TAG_LENGTH_MAX })
    : null;
  return {
    text,
    prefix: trailingWord(args.query),
    types: types as SearchType[] | null,
    tags,
    size: pageSize(args.first),
    after: position(args.after),
  };
}

/**
 * The word at the very end of `raw` when the user is presumably still typing it: not followed
 * by a space, outside quotes, not an exclusion (`-word`) and not the `or` operator. Words of
 * fewer than 2 characters are not worth a prefix scan.
 */
export function trailingWord(raw: string): string | null {
  if (/\s$/.test(raw)) return null;
  const quotes = (raw.match(/"/g) ?? []).length;
  if (quotes % 2 === 1 || raw.endsWith('"')) return null;
  const match = /(?:^|[\s"])([\p{L}\p{N}][\p{L}\p{N}'’]*)$/u.exec(raw);
  const word = match?.[1];
  if (!word || word.length < 2 || word.toLowerCase() === 'or') return null;
  return word;
}

/** The words of a query that typo correction may replace (3 to 40 letters or digits). */
export function correctableWords(text: string): string[] {
  const words = new Set<string>();
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (word.length >= 3 && word.length <= 40 && word !== 'or') words.add(word);
  }
  return [...words];
}

/** `text` with each corrected word replaced, its syntax (quotes, `or`, `-`) kept. */
export function applyCorrections(text: string, corrections: ReadonlyMap<string, string>): string {
  return text.replace(/[\p{L}\p{N}]+/gu, (word) => corrections.get(word.toLowerCase()) ?? word);
}

export function encodePosition(score: number, id: string): string {
  return encodeCursor({ at: String(score), id });
}

function position(after: string | null | undefined): Position | null {
  const cursor = decodeCursor(after);
  if (!cursor) return null;
  const score = Number(cursor.at);
  if (cursor.at.trim() === '' || !Number.isFinite(score) || !isUuid(cursor.id)) {
    throw badInput('after is not a valid cursor', 'after');
  }
  return { score, id: cursor.id };
}

/** tagSuggestions' arguments: a normalized prefix and a count of 1 to 50. */
export function suggestionRequest(args: { prefix: string; first?: number | null }): { prefix: string; size: number } {
  const prefix = args.prefix.trim().toLowerCase().replace(/\s+/g, ' ');
  if (charLength(prefix) > TAG_LENGTH_MAX) throw badInput(`A tag is at most ${TAG_LENGTH_MAX} characters`, 'prefix');
  if (prefix.includes('\u0000')) throw badInput('A tag must not contain NUL characters', 'prefix');
  const first = args.first ?? 10;
  if (!Number.isInteger(first) || first < 1 || first > MAX_SUGGESTIONS) {
    throw badInput(`first must be between 1 and ${MAX_SUGGESTIONS}`, 'first');
  }
  return { prefix, size: first };
}
