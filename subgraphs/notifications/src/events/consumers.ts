import type { EntityManager } from 'typeorm';
import {
  addressVerificationRequested,
  addressVerified,
  commentCreated,
  commentDeleted,
  commentUpdated,
  pictureProcessedEvent,
  postCreated,
  postDeleted,
  postUpdated,
  userFollowed,
  userRegistered,
  type EventEnvelope,
} from '@agora/contracts/events';
import { blockHandlers } from '@agora/kit/blocks';
import { consume, on } from '@agora/kit/events/consume';
import type { Consumer, EventLog } from '@agora/kit/events/port';
import type { Logger } from '@agora/kit/log';
import type { Emit, Outbox } from '@agora/kit/outbox';
import type { DataSource } from 'typeorm';
import { excerptOf, replyRecipients } from '../domain/kinds';
import type { MailStore } from '../store/mail';
import type { NotificationStore } from '../store/notifications';
import type { ReplicaStore } from '../store/replicas';

export const GROUP = 'notifications';

/**
 * How long a reply waits for the replica of its post or parent comment (their events come
 * on other topics or partitions, so may arrive later): the event is retried with backoff
 * until then, and notifies no one after.
 */
export const REPLICA_WAIT_MS = 60_000;

class ReplicaLag extends Error {
  override name = 'ReplicaLag';
}

export interface ConsumerDeps {
  db: DataSource;
  outbox: Outbox;
  events: EventLog;
  replicas: ReplicaStore;
  notifications: NotificationStore;
  mail: MailStore;
  log: Logger;
}

/**
 * One consumer group, from the beginning of every topic: it keeps the replicas (users,
 * posts, comments, blocks, addresses) and turns events into notifications. Events that
 * happened before this service first started only feed the replicas, so a first start that
 * replays the topics tells no one old news. Each event is applied once (its id is recorded
 * in the transaction that writes its effects, the outbox's notification.created included).
 */
export async function consumeEvents(deps: ConsumerDeps): Promise<Consumer> {
  const { db, outbox, replicas, notifications, mail, log } = deps;
  const [state] = (await db.query(`SELECT born_at FROM service_state WHERE id = 1`)) as { born_at: Date }[];
  const bornAt = new Date(state!.born_at).getTime();
  const isNews = (event: EventEnvelope) => Date.parse(event.occurredAt) >= bornAt;

  /** consumeOnce with the outbox's emit: the effects, the events and the event id, in one transaction. */
  const once = (event: EventEnvelope, work: (tx: EntityManager, emit: Emit) => Promise<void>) =>
    outbox.transaction(async (tx, emit) => {
      const inserted = (await tx.query(
        `INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id`,
        [GROUP, event.id],
      )) as unknown[];
      if (inserted.length > 0) await work(tx, emit);
    });

  const handlers = [
    // Replicas first: in embedded mode a group reads its topics in this order.
    on(userRegistered, (data, event) =>
      once(event, async (tx, emit) => {
        await replicas.keepUser(tx, data);
        if (!isNews(event)) return;
        await notifications.add(tx, emit, {
          recipientId: data.userId,
          kind: 'WELCOME',
          sourceEventId: event.id,
          summary: `Welcome to Agora, ${data.displayName || data.handle}!`,
          excerpt: 'Confirm your e-mail address with the link we sent you to get notifications by e-mail.',
          path: '/',
        });
      }),
    ),
    on(addressVerificationRequested, (data, event) =>
      once(event, async (tx) => {
        await replicas.addressRequested(tx, data.userId, data.email);
        // A replayed request whose link has expired sends nothing.
        if (Date.parse(data.expiresAt) > Date.now()) await mail.requestVerification(tx, data);
      }),
    ),
    on(addressVerified, (data, event) =>
      once(event, (tx) => replicas.addressVerified(tx, data.userId, data.email, new Date(data.verifiedAt))),
    ),
    on(postCreated, (data, event) => once(event, (tx) => replicas.keepPost(tx, data))),
    on(postUpdated, (data, event) => once(event, (tx) => replicas.keepPost(tx, data))),
    on(postDeleted, (data, event) => once(event, (tx) => replicas.keepPost(tx, data, true))),
    ...blockHandlers(db, GROUP),
    on(commentCreated, (data, event) =>
      once(event, async (tx, emit) => {
        await replicas.keepComment(tx, data);
        if (!isNews(event)) return;
        const post = await replicas.post(tx, data.postId);
        const parent = data.parentId ? await replicas.comment(tx, data.parentId) : undefined;
        if (!post || (data.parentId && !parent)) {
          if (Date.now() - Date.parse(event.occurredAt) < REPLICA_WAIT_MS) {
            throw new ReplicaLag(`comment ${data.id}: its post or parent comment is not known yet`);
          }
          log.warn({ eventId: event.id }, 'reply notifies no one: its post or parent comment never arrived');
          return;
        }
        if (post.deleted) return;
        const actor = await replicas.user(tx, data.authorId);
        const handle = actor?.handle ?? 'Someone';
        const recipients = replyRecipients({
          actorId: data.authorId,
          postAuthorId: post.authorId,
          parentAuthorId: parent && !parent.deleted ? parent.authorId : undefined,
        });
        for (const { recipientId, on: what } of recipients) {
          await notifications.add(tx, emit, {
            recipientId,
            kind: 'REPLY',
            sourceEventId: event.id,
            actorId: data.authorId,
            postId: data.postId,
            commentId: data.id,
            summary:
              what === 'comment'
                ? `${handle} replied to your comment`
                : `${handle} commented on your post “${excerptOf(post.title, 80)}”`,
            excerpt: excerptOf(data.body),
            path: `/post/${data.postId}#comment-${data.id}`,
          });
        }
      }),
    ),
    on(commentUpdated, (data, event) => once(event, (tx) => replicas.keepComment(tx, data))),
    on(commentDeleted, (data, event) => once(event, (tx) => replicas.keepComment(tx, data, true))),
    on(userFollowed, (data, event) =>
      once(event, async (tx, emit) => {
        if (!isNews(event) || data.actorId === data.targetId) return;
        const actor = await replicas.user(tx, data.actorId);
        await notifications.add(tx, emit, {
          recipientId: data.targetId,
          kind: 'NEW_FOLLOWER',
          sourceEventId: event.id,
          actorId: data.actorId,
          summary: `${actor?.handle ?? 'Someone'} started following you`,
          path: actor ? `/u/${actor.handle}` : '/',
        });
      }),
    ),
    on(pictureProcessedEvent, (data, event) =>
      once(event, async (tx, emit) => {
        if (!isNews(event) || (data.status !== 'READY' && data.status !== 'FAILED')) return;
        const title = excerptOf(data.title, 80) || 'Untitled';
        await notifications.add(tx, emit, {
          recipientId: data.ownerId,
          kind: 'PICTURE_PROCESSED',
          sourceEventId: event.id,
          pictureId: data.id,
          status: data.status,
          summary:
            data.status === 'READY'
              ? `Your picture “${title}” is ready`
              : `Your picture “${title}” could not be processed`,
          excerpt: data.title,
          path: `/pictures/${data.id}`,
        });
      }),
    ),
  ];
  return consume(deps.events, { group: GROUP, fromBeginning: true, log, handlers });
}
