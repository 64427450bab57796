import { newEvent } from '@agora/kit/events/port';
import type { PictureRecord } from '../store/pictures';

/** The Kafka topic the pictures subgraph publishes (DESIGN.md), keyed by picture id. */
export const TOPICS = { pictures: 'pictures.pictures' } as const;

/** The realtime-exchange notice sent when a picture's processing ends (READY or FAILED). */
export const PICTURE_PROCESSED = 'picture.processed';

export interface PictureProcessedNotice {
  pictureId: string;
  ownerId: string;
  status: PictureRecord['status'];
}

const SOURCE = 'pictures';

export type PictureEventType = 'picture.uploaded' | 'picture.processed' | 'picture.deleted';

export const pictureEvent = (type: PictureEventType, picture: PictureRecord, actorId?: string) =>
  newEvent({
    type,
    source: SOURCE,
    subject: picture.id,
    actorId,
    data: {
      id: picture.id,
      ownerId: picture.ownerId,
      title: picture.title,
      tags: picture.tags,
      contentType: picture.contentType,
      width: picture.width,
      height: picture.height,
      byteSize: picture.byteSize,
      status: picture.status,
      createdAt: picture.createdAt.toISOString(),
    },
  });
