import { badInput } from './errors';

/**
 * Rules for user-written text. Text is stored and returned verbatim (markup such as
 * `<script>` is plain text to the API; escaping is the renderer's job), so the only
 * rules are about length and characters PostgreSQL cannot store.
 */

/** Length in characters (code points), as a person counts them, not UTF-16 units. */
export const charLength = (text: string) => [...text].length;

/** Trims `value` and checks it is 1..max characters; BAD_USER_INPUT on `field` otherwise. */
export function requiredText(value: string, rule: { field: string; label: string; max: number }): string {
  const text = value.trim();
  // PostgreSQL text cannot hold NUL: refuse it here rather than fail in the database.
  if (text.includes('\u0000')) throw badInput(`${rule.label} must not contain NUL characters`, rule.field);
  if (text.length === 0) throw badInput(`${rule.label} must not be empty`, rule.field);
  if (charLength(text) > rule.max) throw badInput(`${rule.label} must be at most ${rule.max} characters`, rule.field);
  return text;
}

/** Tags: trimmed, lower-cased, inner spaces collapsed, duplicates dropped, order kept. */
export function normalizeTags(
  tags: readonly string[],
  rule: { field: string; maxCount: number; maxLength: number },
): string[] {
  const unique = new Set<string>();
  for (const raw of tags) {
    const tag = raw.trim().toLowerCase().replace(/\s+/g, ' ');
    if (tag.length === 0 || charLength(tag) > rule.maxLength || tag.includes('\u0000')) {
      throw badInput(`Each tag must be 1 to ${rule.maxLength} characters`, rule.field);
    }
    unique.add(tag);
  }
  if (unique.size > rule.maxCount) throw badInput(`At most ${rule.maxCount} tags`, rule.field);
  return [...unique];
}
