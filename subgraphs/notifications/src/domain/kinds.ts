import { badInput } from '@agora/kit/errors';

/** Types and rules of notifications: who is told what, through which channel. No I/O. */
export type NotificationKind = 'REPLY' | 'NEW_FOLLOWER' | 'PICTURE_PROCESSED' | 'WELCOME';

/** The kinds a user can set; WELCOME is in-app only, once. */
export const CONFIGURABLE_KINDS = ['REPLY', 'NEW_FOLLOWER', 'PICTURE_PROCESSED'] as const;
export type ConfigurableKind = (typeof CONFIGURABLE_KINDS)[number];

export interface Channels {
  inApp: boolean;
  email: boolean;
}

/** Until a user changes them: replies and followers in the app and by e-mail, pictures in the app. */
export const DEFAULT_CHANNELS: Record<ConfigurableKind, Channels> = {
  REPLY: { inApp: true, email: true },
  NEW_FOLLOWER: { inApp: true, email: true },
  PICTURE_PROCESSED: { inApp: true, email: false },
};

export type StoredKinds = Partial<Record<string, Partial<Channels>>>;

const isConfigurable = (kind: string): kind is ConfigurableKind =>
  (CONFIGURABLE_KINDS as readonly string[]).includes(kind);

/** The channels of `kind` for someone whose stored settings are `stored`. */
export function channelsOf(stored: StoredKinds, kind: NotificationKind): Channels {
  if (!isConfigurable(kind)) return { inApp: true, email: false };
  return { ...DEFAULT_CHANNELS[kind], ...stored[kind] };
}

export interface KindSettingInput {
  kind: string;
  inApp?: boolean | null;
  email?: boolean | null;
}

/** The stored kinds after `changes`; BAD_USER_INPUT (nothing changes) for WELCOME or a kind given twice. */
export function applyKindChanges(stored: StoredKinds, changes: readonly KindSettingInput[]): StoredKinds {
  const seen = new Set<string>();
  const next: StoredKinds = { ...stored };
  for (const change of changes) {
    if (!isConfigurable(change.kind)) throw badInput(`${change.kind} notifications cannot be configured`, 'kinds');
    if (seen.has(change.kind)) throw badInput(`${change.kind} is given twice`, 'kinds');
    seen.add(change.kind);
    const current = channelsOf(stored, change.kind);
    next[change.kind] = {
      inApp: change.inApp ?? current.inApp,
      email: change.email ?? current.email,
    };
  }
  return next;
}

/** A reply concerns the author of the comment replied to and the author of the post. */
export interface ReplyRecipient {
  recipientId: string;
  /** What of theirs was replied to. */
  on: 'comment' | 'post';
}

/**
 * Who is told about a new comment: the parent comment's author ("replied to your comment")
 * and the post's author ("commented on your post"), each once, never the commenter.
 */
export function replyRecipients(reply: {
  actorId: string;
  postAuthorId: string | undefined;
  parentAuthorId: string | undefined;
}): ReplyRecipient[] {
  const recipients: ReplyRecipient[] = [];
  if (reply.parentAuthorId) recipients.push({ recipientId: reply.parentAuthorId, on: 'comment' });
  if (reply.postAuthorId && reply.postAuthorId !== reply.parentAuthorId) {
    recipients.push({ recipientId: reply.postAuthorId, on: 'post' });
  }
  return recipients.filter((r) => r.recipientId !== reply.actorId);
}

export const EXCERPT_MAX = 280;

/** The start of a text for a notification: whitespace folded, cut at a word with an ellipsis. */
export function excerptOf(text: string, max = EXCERPT_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if ([...flat].length <= max) return flat;
  const cut = [...flat].slice(0, max - 1).join('');
  const atWord = cut.replace(/\s+\S*$/, '');
  return `${atWord.length > max / 2 ? atWord : cut}…`;
}

/** When an e-mail batch opened now closes: several notifications within the window become one e-mail. */
export const batchClosesAt = (now: Date, windowMs: number) => new Date(now.getTime() + windowMs);

/** The next daily digest after `now`: today's `hourUtc`:00 UTC if still ahead, else tomorrow's. */
export function nextDigestAt(now: Date, hourUtc: number): Date {
  const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hourUtc));
  if (at.getTime() <= now.getTime()) at.setUTCDate(at.getUTCDate() + 1);
  return at;
}

/** What the batch of an e-mail-enabled notification is keyed by: its kind, or the daily digest. */
export const batchKindOf = (kind: NotificationKind, dailyDigest: boolean) => (dailyDigest ? 'DIGEST' : kind);
