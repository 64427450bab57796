import { useCallback, useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../__generated__';
import type { PictureCardFieldsFragment } from '../__generated__/graphql';
import { EmptyState } from '../components/EmptyState';
import { FormErrors } from '../components/form';
import { LoadMore } from '../components/LoadMore';
import { PictureGrid } from '../components/PictureGrid';
import { Skeleton } from '../components/Skeleton';
import { Uploader } from '../components/Uploader';
import { useConnection } from '../connection';
import { describeError } from '../errors';
import { paths } from '../paths';
import { Link, PageHeading, navigate, type PageProps } from '../router';
import { useSessionUser } from '../session';

const PicturesQuery = graphql(`
  query Pictures($first: Int!, $after: String, $ownerId: ID, $tag: String) {
    pictures(first: $first, after: $after, ownerId: $ownerId, tag: $tag) {
      edges {
        node {
          ...PictureCardFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const OwnerQuery = graphql(`
  query PictureOwner($handle: String!) {
    user(handle: $handle) {
      ...UserNameFields
    }
  }
`);

/** The gallery: every picture, newest first, filtered by tag and/or owner; upload for the signed-in. */
export default function Pictures({ search }: PageProps) {
  const user = useSessionUser();
  const tag = search.get('tag')?.trim().toLowerCase() || undefined;
  const ownerHandle = search.get('owner')?.trim().replace(/^@/, '').toLowerCase() || undefined;
  const [owner] = useQuery({ query: OwnerQuery, variables: { handle: ownerHandle ?? '' }, pause: !ownerHandle });
  // A paused query keeps its last data: without an owner filter there is no owner.
  const ownerId = ownerHandle ? owner.data?.user?.id : undefined;
  const unknownOwner = Boolean(ownerHandle && owner.data && !owner.data.user);
  const pictures = useConnection(PicturesQuery, { tag, ownerId }, (data) => data.pictures, {
    pageSize: 24,
    pause: Boolean(ownerHandle && !ownerId),
  });
  const [uploaded, setUploaded] = useState<PictureCardFieldsFragment[]>([]);
  const [processed, setProcessed] = useState<Record<string, PictureCardFieldsFragment>>({});
  const [uploading, setUploading] = useState(false);
  const onProcessed = useCallback(
    (picture: PictureCardFieldsFragment) => setProcessed((all) => ({ ...all, [picture.id]: picture })),
    [],
  );

  const matches = (p: PictureCardFieldsFragment) => (!ownerId || p.owner.id === ownerId) && !tag;
  const loaded = new Set(pictures.nodes.map((p) => p.id));
  const items = [...uploaded.filter((p) => !loaded.has(p.id) && matches(p)), ...pictures.nodes].map(
    (p) => processed[p.id] ?? p,
  );
  const filtered = Boolean(tag || ownerHandle);
  const loading = pictures.loading || owner.fetching;

  return (
    <>
      <div className="page-head">
        <PageHeading
          title={
            filtered ? `Pictures${tag ? ` tagged #${tag}` : ''}${ownerHandle ? ` by @${ownerHandle}` : ''}` : 'Pictures'
          }
        >
          Pictures
        </PageHeading>
        {user && !uploading && (
          <button type="button" onClick={() => setUploading(true)} aria-expanded="false">
            Upload a picture
          </button>
        )}
      </div>
      {user && uploading && (
        <>
          <Uploader onUploaded={(picture) => setUploaded((list) => [picture, ...list])} />
          <button type="button" className="secondary" onClick={() => setUploading(false)}>
            Close the upload form
          </button>
        </>
      )}
      {!user && (
        <p className="notice">
          <Link to={paths.signIn(paths.pictures())}>Sign in</Link> to upload your pictures.
        </p>
      )}
      <Filters key={`${tag}|${ownerHandle}`} tag={tag} owner={ownerHandle} />
      {unknownOwner && <p className="error">Nobody has the handle @{ownerHandle}.</p>}
      <FormErrors messages={pictures.error ? describeError(pictures.error).general : []} />
      {loading && <Skeleton lines={2} count={3} />}
      {!loading && !pictures.error && !unknownOwner && items.length === 0 && (
        <EmptyState title={filtered ? 'No pictures match these filters.' : 'No pictures yet — upload the first one.'}>
          {filtered && (
            <p>
              <Link to={paths.pictures()}>Show every picture</Link>
            </p>
          )}
        </EmptyState>
      )}
      <PictureGrid pictures={items} viewerId={user?.id} onProcessed={onProcessed} />
      {pictures.hasMore && (
        <LoadMore label="More pictures" onMore={pictures.loadMore} loading={pictures.loadingMore} auto />
      )}
    </>
  );
}

function Filters({ tag, owner }: { tag?: string; owner?: string }) {
  const [tagText, setTagText] = useState(tag ?? '');
  const [ownerText, setOwnerText] = useState(owner ?? '');
  const apply = (event: FormEvent) => {
    event.preventDefault();
    navigate(paths.pictures({ tag: tagText.trim(), owner: ownerText.trim().replace(/^@/, '') }));
  };
  return (
    <form role="search" aria-label="Filter pictures" className="filters" onSubmit={apply}>
      <div className="field">
        <label htmlFor="filter-tag">Tag</label>
        <input id="filter-tag" value={tagText} onChange={(e) => setTagText(e.target.value)} placeholder="e.g. cats" />
      </div>
      <div className="field">
        <label htmlFor="filter-owner">Owner’s handle</label>
        <input
          id="filter-owner"
          value={ownerText}
          onChange={(e) => setOwnerText(e.target.value)}
          placeholder="e.g. ada"
        />
      </div>
      <div className="actions">
        <button type="submit">Filter</button>
        {(tag || owner) && (
          <Link className="button secondary" to={paths.pictures()}>
            Clear filters
          </Link>
        )}
      </div>
    </form>
  );
}
