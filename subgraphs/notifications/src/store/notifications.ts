import type { DataSource, EntityManager } from 'typeorm';
import { notificationCreated } from '@agora/contracts/events';
import { notBlockedBy } from '@agora/kit/blocks';
import { sqlRows } from '@agora/kit/db/sql';
import type { Emit } from '@agora/kit/outbox';
import type { Cursor } from '@agora/kit/pagination';
import { channelsOf, type NotificationKind } from '../domain/kinds';
import type { MailStore } from './mail';
import type { ReplicaStore } from './replicas';
import type { SettingsStore } from './settings';

export interface NotificationRecord {
  id: string;
  recipientId: string;
  kind: NotificationKind;
  actorId: string | null;
  postId: string | null;
  commentId: string | null;
  pictureId: string | null;
  summary: string;
  excerpt: string | null;
  path: string;
  readAt: Date | null;
  createdAt: Date;
}

/** A notification to add for one recipient, from the event `sourceEventId`. */
export interface NewNotification {
  recipientId: string;
  kind: NotificationKind;
  sourceEventId: string;
  actorId?: string;
  postId?: string;
  commentId?: string;
  pictureId?: string;
  status?: string;
  summary: string;
  excerpt?: string;
  path: string;
}

export type AddOutcome = 'added' | 'off' | 'blocked' | 'duplicate';

const COLUMNS = `id, recipient_id AS "recipientId", kind, actor_id AS "actorId", post_id AS "postId",
  comment_id AS "commentId", picture_id AS "pictureId", summary, excerpt, path,
  read_at AS "readAt", created_at AS "createdAt"`;

/** In-app notifications: written by the event consumers, read and marked by their recipient. */
export class NotificationStore {
  constructor(
    private readonly db: DataSource,
    private readonly replicas: ReplicaStore,
    private readonly settings: SettingsStore,
    private readonly mail: MailStore,
  ) {}

  /**
   * Within a consumer's transaction: adds `n` unless its actor and recipient have blocked
   * one another or the recipient turned the kind off; tells the recipient's subscriptions
   * (notification.created, in the same transaction) and collects it for e-mail.
   */
  async add(tx: EntityManager, emit: Emit, n: NewNotification): Promise<AddOutcome> {
    if (n.actorId && (await this.replicas.blockedEitherWay(tx, n.recipientId, n.actorId))) return 'blocked';
    const settings = await this.settings.read(n.recipientId, tx);
    const channels = channelsOf(settings.kinds, n.kind);
    if (!channels.inApp && !channels.email) return 'off';
    const rows = (await tx.query(
      `INSERT INTO notifications
         (recipient_id, kind, source_event_id, actor_id, post_id, comment_id, picture_id, status, summary, excerpt, path, in_app)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (recipient_id, source_event_id) DO NOTHING
       RETURNING id, created_at`,
      [
        n.recipientId,
        n.kind,
        n.sourceEventId,
        n.actorId ?? null,
        n.postId ?? null,
        n.commentId ?? null,
        n.pictureId ?? null,
        n.status ?? null,
        n.summary,
        n.excerpt ?? null,
        n.path,
        channels.inApp,
      ],
    )) as { id: string; created_at: Date }[];
    const row = rows[0];
    if (!row) return 'duplicate';
    if (channels.inApp) {
      emit(
        notificationCreated.topic,
        notificationCreated.build({
          subject: row.id,
          actorId: n.actorId,
          data: {
            id: row.id,
            recipientId: n.recipientId,
            kind: n.kind,
            createdAt: new Date(row.created_at).toISOString(),
          },
        }),
      );
    }
    if (channels.email) await this.mail.collect(tx, { notificationId: row.id, ...n }, settings.dailyDigest);
    return 'added';
  }

  /** The recipient's in-app notifications among `ids` (others' are never returned). */
  async byIds(ids: readonly string[], recipientId: string): Promise<NotificationRecord[]> {
    return (await this.db.query(
      `SELECT ${COLUMNS} FROM notifications
        WHERE id = ANY($1::uuid[]) AND recipient_id = $2 AND in_app
          AND (actor_id IS NULL OR ${notBlockedBy('$2', 'actor_id')})`,
      [ids, recipientId],
    )) as NotificationRecord[];
  }

  /** Newest first, after `cursor`; `limit` rows (ask one more than the page to know if there is a next). */
  async page(recipientId: string, limit: number, cursor: Cursor | undefined, unreadOnly: boolean) {
    return (await this.db.query(
      `SELECT ${COLUMNS} FROM notifications
        WHERE recipient_id = $1 AND in_app
          AND ($2::boolean = false OR read_at IS NULL)
          AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
          AND (actor_id IS NULL OR ${notBlockedBy('$1', 'actor_id')})
        ORDER BY created_at DESC, id DESC
        LIMIT $5`,
      [recipientId, unreadOnly, cursor?.at ?? null, cursor?.id ?? null, limit],
    )) as NotificationRecord[];
  }

  async unreadCount(recipientId: string): Promise<number> {
    const [row] = (await this.db.query(
      `SELECT count(*)::int AS n FROM notifications
        WHERE recipient_id = $1 AND in_app AND read_at IS NULL
          AND (actor_id IS NULL OR ${notBlockedBy('$1', 'actor_id')})`,
      [recipientId],
    )) as { n: number }[];
    return row?.n ?? 0;
  }

  /** Marks the recipient's own unread notifications among `ids` read; returns how many changed. */
  async markRead(recipientId: string, ids: readonly string[]): Promise<number> {
    const rows = await sqlRows(
      this.db.manager,
      `UPDATE notifications SET read_at = now()
        WHERE recipient_id = $1 AND id = ANY($2::uuid[]) AND read_at IS NULL RETURNING id`,
      [recipientId, ids],
    );
    return rows.length;
  }

  async markAllRead(recipientId: string): Promise<number> {
    const rows = await sqlRows(
      this.db.manager,
      `UPDATE notifications SET read_at = now() WHERE recipient_id = $1 AND read_at IS NULL RETURNING id`,
      [recipientId],
    );
    return rows.length;
  }
}
