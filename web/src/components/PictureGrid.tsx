import { useEffect } from 'react';
import { useClient, useSubscription } from 'urql';
import { graphql } from '../__generated__';
import type { PictureCardFieldsFragment } from '../__generated__/graphql';
import { paths } from '../paths';
import { Link } from '../router';
import { RelativeTime } from './RelativeTime';

const PictureProcessedSubscription = graphql(`
  subscription PictureProcessed($pictureId: ID) {
    pictureProcessed(pictureId: $pictureId) {
      ...PictureCardFields
    }
  }
`);

const PictureStatusQuery = graphql(`
  query PictureStatus($id: ID!) {
    picture(id: $id) {
      ...PictureCardFields
    }
  }
`);

/** Pictures of others still processing that one page watches at once (the gateway allows 20 per connection). */
const WATCH_LIMIT = 10;

/**
 * Thumbnails in a grid. Pictures still PROCESSING turn into thumbnails in place: the
 * signed-in user's own through one `pictureProcessed` subscription (open while the grid is),
 * others' each by id.
 */
export function PictureGrid({
  pictures,
  viewerId,
  onProcessed,
  showOwner = true,
}: {
  pictures: readonly PictureCardFieldsFragment[];
  viewerId?: string;
  onProcessed: (picture: PictureCardFieldsFragment) => void;
  showOwner?: boolean;
}) {
  return (
    <>
      <ProcessingWatch pictures={pictures} viewerId={viewerId} onProcessed={onProcessed} />
      <ul className="gallery" aria-label="Pictures">
        {pictures.map((picture) => (
          <li key={picture.id} className="gallery-item" data-testid="picture-card" data-status={picture.status}>
            <Link to={paths.picture(picture.id)} className="gallery-link">
              <Thumbnail picture={picture} />
              <span className="gallery-title">{picture.title}</span>
            </Link>
            {showOwner && (
              <p className="meta">
                <Link to={paths.user(picture.owner.handle)}>{picture.owner.displayName}</Link> ·{' '}
                <RelativeTime iso={picture.createdAt} />
              </p>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

/** Renders nothing: reports each of `pictures` still PROCESSING once it is processed. */
export function ProcessingWatch({
  pictures,
  viewerId,
  onProcessed,
}: {
  pictures: readonly PictureCardFieldsFragment[];
  viewerId?: string;
  onProcessed: (picture: PictureCardFieldsFragment) => void;
}) {
  const processing = pictures.filter((p) => p.status === 'PROCESSING').slice(0, WATCH_LIMIT);
  return (
    <>
      {viewerId && <OwnPicturesWatcher onProcessed={onProcessed} />}
      {processing.map((p) => (
        <PictureWatcher key={p.id} id={p.id} subscribe={p.owner.id !== viewerId} onProcessed={onProcessed} />
      ))}
    </>
  );
}

export function Thumbnail({ picture }: { picture: PictureCardFieldsFragment }) {
  if (picture.status === 'READY' && picture.thumbnailUrl) {
    return (
      <img
        className="thumb"
        src={picture.thumbnailUrl}
        alt={picture.title}
        width={picture.width >= picture.height ? 320 : Math.round((320 * picture.width) / picture.height)}
        height={picture.height > picture.width ? 320 : Math.round((320 * picture.height) / picture.width)}
        loading="lazy"
      />
    );
  }
  return (
    <span className={`thumb placeholder ${picture.status.toLowerCase()}`} role="img" aria-label={picture.title}>
      {picture.status === 'PROCESSING' ? 'Processing…' : 'No preview'}
    </span>
  );
}

function OwnPicturesWatcher({ onProcessed }: { onProcessed: (p: PictureCardFieldsFragment) => void }) {
  const [result] = useSubscription({ query: PictureProcessedSubscription, variables: {} });
  const picture = result.data?.pictureProcessed;
  useEffect(() => {
    if (picture) onProcessed(picture);
  }, [picture, onProcessed]);
  return null;
}

/** One picture still processing: by its own subscription (others' pictures), and one later look. */
function PictureWatcher(props: {
  id: string;
  subscribe: boolean;
  onProcessed: (p: PictureCardFieldsFragment) => void;
}) {
  const { id, onProcessed } = props;
  const [result] = useSubscription({
    query: PictureProcessedSubscription,
    variables: { pictureId: id },
    pause: !props.subscribe,
  });
  const client = useClient();
  const picture = result.data?.pictureProcessed;
  useEffect(() => {
    if (picture) onProcessed(picture);
  }, [picture, onProcessed]);
  // It may have finished before the subscription started: look once, a moment later.
  useEffect(() => {
    const timer = setTimeout(async () => {
      const now = await client.query(PictureStatusQuery, { id }, { requestPolicy: 'network-only' }).toPromise();
      if (now.data?.picture && now.data.picture.status !== 'PROCESSING') onProcessed(now.data.picture);
    }, 3000);
    return () => clearTimeout(timer);
  }, [client, id, onProcessed]);
  return null;
}
