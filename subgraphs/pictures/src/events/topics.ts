import {
  TOPICS as CATALOGUE,
  pictureDeleted,
  pictureProcessedEvent,
  pictureProcessedNotice,
  pictureUploaded,
} from '@agora/contracts/events';
import type { PictureRecord } from '../store/pictures';

/** The Kafka topic the pictures subgraph publishes (DESIGN.md), keyed by picture id. */
export const TOPICS = { pictures: CATALOGUE.pictures } as const;

/** The realtime-exchange notice sent when a picture's processing ends (READY or FAILED). */
export const PICTURE_PROCESSED = pictureProcessedNotice.routingKey;

export const pictureProcessedData = (picture: Pick<PictureRecord, 'id' | 'ownerId' | 'status'>) =>
  pictureProcessedNotice.build({ pictureId: picture.id, ownerId: picture.ownerId, status: picture.status });

const PICTURE_EVENTS = {
  'picture.uploaded': pictureUploaded,
  'picture.processed': pictureProcessedEvent,
  'picture.deleted': pictureDeleted,
} as const;

export type PictureEventType = keyof typeof PICTURE_EVENTS;

export const pictureEvent = (type: PictureEventType, picture: PictureRecord, actorId?: string) =>
  PICTURE_EVENTS[type].build({
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
