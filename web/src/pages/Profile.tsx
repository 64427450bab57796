import { useCallback, useState } from 'react';
import { useMutation, useQuery, type CombinedError } from 'urql';
import { graphql } from '../__generated__';
import type { PictureCardFieldsFragment } from '../__generated__/graphql';
import { ConfirmButton } from '../components/ConfirmButton';
import { EmptyState } from '../components/EmptyState';
import { FormErrors } from '../components/form';
import { LoadMore } from '../components/LoadMore';
import { PictureGrid } from '../components/PictureGrid';
import { PostList } from '../components/PostList';
import { RelativeTime } from '../components/RelativeTime';
import { PageError } from '../components/PageError';
import { Skeleton } from '../components/Skeleton';
import { useConnection } from '../connection';
import { describeError } from '../errors';
import { paths } from '../paths';
import { Link, PageHeading, type PageProps } from '../router';
import { useSession } from '../session';
import NotFound from './NotFound';

const ProfileQuery = graphql(`
  query Profile($handle: String!, $first: Int!, $after: String) {
    user(handle: $handle) {
      ...UserNameFields
      bio
      createdAt
      followerCount
      followingCount
      viewerIsFollowing
      viewerHasBlocked
      posts(first: $first, after: $after) {
        edges {
          node {
            ...PostItemFields
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

const ProfilePicturesQuery = graphql(`
  query ProfilePictures($userId: ID!) {
    pictures(first: 8, ownerId: $userId) {
      edges {
        node {
          ...PictureCardFields
        }
      }
      pageInfo {
        hasNextPage
      }
    }
  }
`);

const FollowMutation = graphql(`
  mutation Follow($userId: ID!) {
    follow(userId: $userId) {
      id
      followerCount
      viewerIsFollowing
      viewerHasBlocked
    }
  }
`);
const UnfollowMutation = graphql(`
  mutation Unfollow($userId: ID!) {
    unfollow(userId: $userId) {
      id
      followerCount
      viewerIsFollowing
      viewerHasBlocked
    }
  }
`);
const BlockMutation = graphql(`
  mutation Block($userId: ID!) {
    block(userId: $userId) {
      id
      followerCount
      followingCount
      viewerIsFollowing
      viewerHasBlocked
    }
  }
`);
const UnblockMutation = graphql(`
  mutation Unblock($userId: ID!) {
    unblock(userId: $userId) {
      id
      followerCount
      viewerIsFollowing
      viewerHasBlocked
    }
  }
`);

/** A person: name, bio, counts, their posts and pictures; follow and block; edit for oneself. */
export default function Profile({ params, search }: PageProps) {
  const handle = params.handle!.replace(/^@/, '').toLowerCase();
  const session = useSession();
  const posts = useConnection(ProfileQuery, { handle }, (data) => data.user?.posts, { pageSize: 10 });
  const user = posts.data?.user;

  if (posts.loading) return <Skeleton lines={4} count={3} />;
  if (posts.error && !user) return <PageError error={posts.error} />;
  if (!user) return <NotFound params={params} search={search} what="user" />;
  const self = session.user?.id === user.id;

  return (
    <>
      <section className="profile-head">
        <span className="avatar large" aria-hidden="true">
          {user.displayName.slice(0, 1).toUpperCase()}
        </span>
        <div className="profile-name">
          <PageHeading>{user.displayName}</PageHeading>
          <p className="meta">
            @{user.handle} · joined <RelativeTime iso={user.createdAt} />
          </p>
        </div>
      </section>
      {user.bio ? (
        <p className="bio body">{user.bio}</p>
      ) : (
        self && <p className="meta">You have not written a bio yet.</p>
      )}
      <ul className="counts" aria-label="Connections">
        <li>
          <Link to={paths.followers(user.handle)}>
            <strong>{user.followerCount}</strong> {user.followerCount === 1 ? 'follower' : 'followers'}
          </Link>
        </li>
        <li>
          <Link to={paths.following(user.handle)}>
            <strong>{user.followingCount}</strong> following
          </Link>
        </li>
      </ul>
      {self ? (
        <p>
          <Link className="button secondary" to={paths.editProfile()}>
            Edit profile
          </Link>
        </p>
      ) : session.user ? (
        <Relations user={user} />
      ) : (
        <p className="notice">
          <Link to={paths.signIn(paths.user(user.handle))}>Sign in</Link> to follow {user.displayName}.
        </p>
      )}
      <h2>Posts</h2>
      {posts.nodes.length === 0 ? (
        <EmptyState title={self ? 'You have not posted yet.' : `${user.displayName} has not posted yet.`} />
      ) : (
        <PostList posts={posts.nodes} showAuthor={false} />
      )}
      {posts.hasMore && <LoadMore label="More posts" onMore={posts.loadMore} loading={posts.loadingMore} />}
      <ProfilePictures userId={user.id} handle={user.handle} name={self ? 'You have' : `${user.displayName} has`} />
    </>
  );
}

function ProfilePictures({ userId, handle, name }: { userId: string; handle: string; name: string }) {
  const session = useSession();
  const [{ data, fetching }] = useQuery({ query: ProfilePicturesQuery, variables: { userId } });
  const [processed, setProcessed] = useState<Record<string, PictureCardFieldsFragment>>({});
  const onProcessed = useCallback((p: PictureCardFieldsFragment) => setProcessed((all) => ({ ...all, [p.id]: p })), []);
  const pictures = (data?.pictures.edges ?? []).map((e) => processed[e.node.id] ?? e.node);
  return (
    <>
      <h2>Pictures</h2>
      {fetching && !data && <Skeleton lines={2} />}
      {data && pictures.length === 0 && <EmptyState title={`${name} not uploaded any pictures yet.`} />}
      <PictureGrid pictures={pictures} viewerId={session.user?.id} onProcessed={onProcessed} showOwner={false} />
      {data?.pictures.pageInfo.hasNextPage && (
        <p>
          <Link to={paths.pictures({ owner: handle })}>All pictures</Link>
        </p>
      )}
    </>
  );
}

function Relations({
  user,
}: {
  user: { id: string; displayName: string; viewerIsFollowing: boolean; viewerHasBlocked: boolean };
}) {
  const [follow, doFollow] = useMutation(FollowMutation);
  const [unfollow, doUnfollow] = useMutation(UnfollowMutation);
  const [block, doBlock] = useMutation(BlockMutation);
  const [unblock, doUnblock] = useMutation(UnblockMutation);
  const [error, setError] = useState<CombinedError>();
  const busy = follow.fetching || unfollow.fetching || block.fetching || unblock.fetching;
  const run = async (action: (v: { userId: string }) => Promise<{ error?: CombinedError }>) => {
    const result = await action({ userId: user.id });
    setError(result.error);
  };
  const name = user.displayName;
  return (
    <div className="relations">
      <div className="actions">
        {!user.viewerHasBlocked &&
          (user.viewerIsFollowing ? (
            <button type="button" className="secondary" disabled={busy} onClick={() => run(doUnfollow)}>
              Unfollow
            </button>
          ) : (
            <button type="button" disabled={busy} onClick={() => run(doFollow)}>
              Follow
            </button>
          ))}
        {user.viewerHasBlocked ? (
          <button type="button" className="secondary" disabled={busy} onClick={() => run(doUnblock)}>
            Unblock
          </button>
        ) : (
          <ConfirmButton
            className="secondary"
            label="Block"
            question={`Block ${name}? Neither of you can follow the other, and you will not see their posts.`}
            confirmLabel="Yes, block"
            busy={busy}
            onConfirm={() => run(doBlock)}
          />
        )}
      </div>
      {user.viewerHasBlocked && <p className="notice">You have blocked {name}.</p>}
      <FormErrors
        messages={
          describeError(error, {
            FORBIDDEN: `You can’t follow ${name}: one of you has blocked the other.`,
            NOT_FOUND: `${name}’s account no longer exists.`,
          }).general
        }
      />
    </div>
  );
}
