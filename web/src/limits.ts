/**
 * The API's input rules (schema/*.graphql descriptions), checked in the browser before a
 * form is sent, so a person sees what is wrong next to the field at once. The server checks
 * them again; its answer is shown the same way.
 */
export const LIMITS = {
  panelName: { min: 3, max: 80 },
  panelDescription: { max: 2000 },
  postTitle: { min: 1, max: 200 },
  postBody: { min: 1, max: 40_000 },
  comment: { min: 1, max: 10_000 },
  tags: { count: 10, length: 40 },
  pictureTitle: { min: 1, max: 120 },
  pictureBytes: 10 * 1024 * 1024,
  picturePixels: 40_000_000,
  pictureTypes: ['image/png', 'image/jpeg', 'image/webp', 'image/gif'],
  displayName: { min: 1, max: 50 },
  bio: { max: 500 },
  handle: { min: 3, max: 30 },
  password: { min: 10, max: 256 },
} as const;

/** Length as the API counts it: characters (code points), after trimming. */
export const charCount = (text: string) => [...text.trim()].length;

/** A message when `text` breaks the length rule; `label` starts the sentence. */
export function lengthProblem(label: string, text: string, rule: { min?: number; max: number }): string | undefined {
  const n = charCount(text);
  if ((rule.min ?? 0) > 0 && n === 0) return `${label} is required.`;
  if (rule.min !== undefined && n < rule.min) return `${label} needs at least ${rule.min} characters.`;
  if (n > rule.max) return `${label} can be at most ${rule.max} characters (now ${n}).`;
  return undefined;
}

/** Comma-separated tags as the API will store them: trimmed, lower case, without duplicates. */
export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((tag) => tag.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
}

export function tagsProblem(text: string): string | undefined {
  const tags = parseTags(text);
  if (tags.length > LIMITS.tags.count) return `Use at most ${LIMITS.tags.count} tags (now ${tags.length}).`;
  const long = tags.find((tag) => [...tag].length > LIMITS.tags.length);
  if (long) return `Each tag can be at most ${LIMITS.tags.length} characters: “${long.slice(0, 20)}…” is longer.`;
  return undefined;
}

const EMAIL = /^[^\s@"(),:;<>[\]\\]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

export function emailProblem(email: string): string | undefined {
  const text = email.trim().toLowerCase();
  if (!text) return 'Email is required.';
  if (text.length > 254 || !EMAIL.test(text)) return 'Enter an email address like name@example.com.';
  return undefined;
}

export function handleProblem(handle: string): string | undefined {
  const text = handle.trim().toLowerCase();
  if (!text) return 'Handle is required.';
  if (!/^[a-z0-9_]{3,30}$/.test(text)) return 'Use 3 to 30 letters (a–z), digits or underscores.';
  return undefined;
}

export function passwordProblem(password: string, account?: { email: string; handle: string }): string | undefined {
  const n = [...password].length;
  if (n === 0) return 'Password is required.';
  if (!account) return undefined; // signing in: any password may be tried
  if (n < LIMITS.password.min || n > LIMITS.password.max) {
    return `Use ${LIMITS.password.min} to ${LIMITS.password.max} characters (now ${n}).`;
  }
  const kinds = [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{Ll}\p{Lu}\p{Nd}]/u].filter((kind) => kind.test(password));
  if (kinds.length < 2) return 'Mix at least two kinds: lower case, upper case, digits or symbols.';
  const lower = password.toLowerCase();
  const emailName = account.email.trim().toLowerCase().split('@')[0] ?? '';
  const handle = account.handle.trim().toLowerCase();
  if ((emailName.length >= 3 && lower.includes(emailName)) || (handle && lower.includes(handle))) {
    return 'The password must not contain your email name or handle.';
  }
  return undefined;
}

/** "2.4 MB" */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
