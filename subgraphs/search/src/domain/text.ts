/**
 * The index keeps text with a few control characters standing in for markup, so that
 * PostgreSQL's text parser neither drops `<…>` as HTML tags nor gets confused by marks:
 * `<` and `>` are stored as LT and GT, and ts_headline wraps matches in MARK_START/MARK_END.
 * Those four characters are removed from the content first, so they can only come from us.
 */
export const MARK_START = '\u0001';
export const MARK_END = '\u0002';
const LT = '\u0003';
const GT = '\u0004';

/** Content as the index stores it (see above); other control characters become spaces. */
export function indexText(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- control characters are what this removes
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ' ')
      .replaceAll('<', LT)
      .replaceAll('>', GT)
  );
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '"': '&quot;',
  "'": '&#39;',
  '<': '&lt;',
  '>': '&gt;',
  [LT]: '&lt;',
  [GT]: '&gt;',
  [MARK_START]: '<mark>',
  [MARK_END]: '</mark>',
};

/**
 * A headline from the index as HTML: every character of the content escaped, and the only
 * markup the `<mark>` elements around matches.
 */
export function highlightHtml(headline: string): string {
  // eslint-disable-next-line no-control-regex -- the marks and stand-ins are control characters
  return headline.replace(/[&"'<>\u0001-\u0004]/g, (c) => ESCAPES[c]!);
}

/** Words of a title, name or tag that typo correction can suggest: letters and digits, 3 to 40 long. */
export function vocabularyOf(...texts: string[]): string[] {
  const words = new Set<string>();
  for (const text of texts) {
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      if (word.length >= 3 && word.length <= 40) words.add(word);
    }
  }
  return [...words].sort();
}
