import { useCallback, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../__generated__';
import type { PictureCardFieldsFragment } from '../__generated__/graphql';
import { ConfirmButton } from '../components/ConfirmButton';
import { FormErrors } from '../components/form';
import { ProcessingWatch } from '../components/PictureGrid';
import { RelativeTime } from '../components/RelativeTime';
import { PageError } from '../components/PageError';
import { Skeleton } from '../components/Skeleton';
import { Tags } from '../components/Tags';
import { describeError } from '../errors';
import { formatBytes } from '../limits';
import { paths } from '../paths';
import { Link, PageHeading, navigate, type PageProps } from '../router';
import { useSession } from '../session';
import NotFound from './NotFound';

const PictureQuery = graphql(`
  query Picture($id: ID!) {
    picture(id: $id) {
      ...PictureCardFields
      tags
      url
      contentType
      byteSize
    }
  }
`);

const DeletePictureMutation = graphql(`
  mutation DeletePicture($id: ID!) {
    deletePicture(id: $id)
  }
`);

const TYPE_NAMES: Record<string, string> = {
  'image/png': 'PNG',
  'image/jpeg': 'JPEG',
  'image/webp': 'WebP',
  'image/gif': 'GIF',
};

/** One picture at full size, its details, and deletion for its owner. */
export default function PicturePage({ params, search }: PageProps) {
  const id = params.id!;
  const session = useSession();
  const [{ data, fetching, error }] = useQuery({ query: PictureQuery, variables: { id } });
  const [processed, setProcessed] = useState<PictureCardFieldsFragment | null>(null);
  const [deletion, deletePicture] = useMutation(DeletePictureMutation);
  const onProcessed = useCallback((p: PictureCardFieldsFragment) => setProcessed(p), []);

  if (fetching && !data) return <Skeleton lines={6} />;
  if (error && !data) return <PageError error={error} />;
  const loaded = data?.picture;
  if (!loaded) return <NotFound params={params} search={search} what="picture" />;
  const picture = { ...loaded, ...(processed ?? {}) };
  const mine = session.user?.id === picture.owner.id || session.roles.includes('admin');

  const remove = async () => {
    const result = await deletePicture({ id }, { additionalTypenames: ['Picture'] });
    if (!result.error) navigate(paths.pictures({ owner: picture.owner.handle }), { replace: true });
  };

  return (
    <article className="picture-page">
      <p className="breadcrumb">
        <Link to={paths.pictures()}>← All pictures</Link>
      </p>
      <PageHeading>{picture.title}</PageHeading>
      <p className="meta">
        by <Link to={paths.user(picture.owner.handle)}>{picture.owner.displayName}</Link> ·{' '}
        <RelativeTime iso={picture.createdAt} />
      </p>
      <figure className="full-picture">
        {/* Watches this picture until its processing ends; the original is shown meanwhile. */}
        <ProcessingWatch pictures={[picture]} onProcessed={onProcessed} />
        <img src={picture.url} alt={picture.title} width={picture.width} height={picture.height} />
        <figcaption className="meta">
          {picture.width}×{picture.height} · {TYPE_NAMES[picture.contentType] ?? picture.contentType} ·{' '}
          {formatBytes(picture.byteSize)}
          {picture.status === 'PROCESSING' && ' · making the thumbnail…'}
          {picture.status === 'FAILED' && ' · no thumbnail could be made'}
        </figcaption>
      </figure>
      <Tags tags={picture.tags} linkTo="pictures" />
      <p>
        <Link to={paths.pictures({ owner: picture.owner.handle })}>More pictures by {picture.owner.displayName}</Link>
      </p>
      {mine && (
        <div className="actions">
          <ConfirmButton
            className="secondary"
            label="Delete picture"
            question="Delete this picture for everyone?"
            confirmLabel="Yes, delete it"
            busy={deletion.fetching}
            onConfirm={remove}
          />
        </div>
      )}
      <FormErrors messages={describeError(deletion.error).general} />
    </article>
  );
}
