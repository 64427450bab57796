import { randomUUID } from 'node:crypto';
import {
  addressVerificationRequested,
  addressVerified,
  commentCreated,
  pictureProcessedEvent,
  postCreated,
  userBlocked,
  userFollowed,
  userRegistered,
  type EventEnvelope,
} from '@agora/contracts/events';
import type { EventLog } from '@agora/kit/events/port';

/** Builds the events other services publish, as they publish them (through the catalogue). */
export function world(events: EventLog) {
  const publish = (topic: string, ...list: EventEnvelope[]) => events.publish(topic, list);
  const now = () => new Date().toISOString();

  return {
    publish,
    async user(handle: string, options: { email?: string; verified?: boolean } = {}) {
      const id = randomUUID();
      const email = options.email ?? `${handle}@example.test`;
      await publish(
        userRegistered.topic,
        userRegistered.build({ subject: id, actorId: id, data: { userId: id, handle, displayName: handle } }),
      );
      const token = randomUUID() + randomUUID();
      await publish(
        addressVerificationRequested.topic,
        addressVerificationRequested.build({
          subject: id,
          data: { userId: id, email, token, expiresAt: new Date(Date.now() + 3600_000).toISOString() },
        }),
      );
      if (options.verified ?? true) await this.verify(id, email);
      return { id, handle, email, token };
    },
    verify: (userId: string, email: string) =>
      publish(
        addressVerified.topic,
        addressVerified.build({ subject: userId, data: { userId, email, verifiedAt: now() } }),
      ),
    async post(authorId: string, title = 'A post') {
      const id = randomUUID();
      await publish(
        postCreated.topic,
        postCreated.build({
          subject: id,
          actorId: authorId,
          data: {
            id,
            panelId: randomUUID(),
            authorId,
            title,
            body: 'Body',
            tags: [],
            createdAt: now(),
            updatedAt: now(),
          },
        }),
      );
      return id;
    },
    commentEvent(authorId: string, postId: string, body: string, parentId: string | null = null) {
      const id = randomUUID();
      return commentCreated.build({
        subject: id,
        actorId: authorId,
        data: { id, postId, authorId, parentId, body, createdAt: now(), updatedAt: now() },
      });
    },
    async comment(authorId: string, postId: string, body: string, parentId: string | null = null) {
      const event = this.commentEvent(authorId, postId, body, parentId);
      await publish(commentCreated.topic, event);
      return event.data.id;
    },
    follow: (actorId: string, targetId: string) =>
      publish(userFollowed.topic, userFollowed.build({ subject: actorId, actorId, data: { actorId, targetId } })),
    block: (actorId: string, targetId: string) =>
      publish(userBlocked.topic, userBlocked.build({ subject: actorId, actorId, data: { actorId, targetId } })),
    async pictureProcessed(ownerId: string, status: 'READY' | 'FAILED', title = 'Sunset') {
      const id = randomUUID();
      await publish(
        pictureProcessedEvent.topic,
        pictureProcessedEvent.build({
          subject: id,
          actorId: ownerId,
          data: {
            id,
            ownerId,
            title,
            tags: [],
            contentType: 'image/png',
            width: 10,
            height: 10,
            byteSize: 100,
            status,
            createdAt: now(),
          },
        }),
      );
      return id;
    },
  };
}
