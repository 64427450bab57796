import { z } from 'zod';
import { defineEvent } from './define';

/**
 * Events of issue 15 (notifications), beside the core catalogue:
 * - `notifications.notifications`, published by the notifications service: a notification
 *   was added to someone's in-app list (drives the `notificationAdded` subscription);
 * - `auth.addresses`, published by auth and read only by notifications: the e-mail address
 *   of an account and whether it is verified. E-mail addresses never appear in the public
 *   API or in the widely read `auth.users` topic; this topic carries them (and the one-time
 *   verification token, which expires and works once) to the mail sender. In production it
 *   is readable only by the notifications service (Kafka ACL), compacted per user id.
 */
export const NOTIFICATION_TOPICS = {
  notifications: 'notifications.notifications',
  authAddresses: 'auth.addresses',
} as const;

const id = z.string().min(1);
const timestamp = z.iso.datetime({ offset: true });

/** The kinds of notification; the settings of each kind are the recipient's. */
export const notificationKind = z.enum(['REPLY', 'NEW_FOLLOWER', 'PICTURE_PROCESSED', 'WELCOME']);

// notifications.notifications — keyed by notification id
export const notificationCreated = defineEvent({
  topic: NOTIFICATION_TOPICS.notifications,
  type: 'notification.created',
  version: '1.0',
  source: 'notifications',
  data: z.object({ id, recipientId: id, kind: notificationKind, createdAt: timestamp }),
});

// auth.addresses — keyed by user id
export const addressVerificationRequested = defineEvent({
  topic: NOTIFICATION_TOPICS.authAddresses,
  type: 'address.verification-requested',
  version: '1.0',
  source: 'auth',
  data: z.object({
    userId: id,
    email: z.email(),
    /** The secret of the verification link: it works once, until `expiresAt`. */
    token: z.string().min(20),
    expiresAt: timestamp,
  }),
});

export const addressVerified = defineEvent({
  topic: NOTIFICATION_TOPICS.authAddresses,
  type: 'address.verified',
  version: '1.0',
  source: 'auth',
  data: z.object({ userId: id, email: z.email(), verifiedAt: timestamp }),
});

export const NOTIFICATIONS_EVENTS = [notificationCreated, addressVerificationRequested, addressVerified] as const;
