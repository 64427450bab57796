import { EmptyState } from '../components/EmptyState';
import { LoadMore } from '../components/LoadMore';
import { PageError } from '../components/PageError';
import { Skeleton } from '../components/Skeleton';
import { useConnection } from '../connection';
import { graphql } from '../__generated__';
import { paths } from '../paths';
import { Link, PageHeading, useLocation, type PageProps } from '../router';
import NotFound from './NotFound';

const FollowersQuery = graphql(`
  query Followers($handle: String!, $first: Int!, $after: String) {
    user(handle: $handle) {
      ...UserNameFields
      followers(first: $first, after: $after) {
        edges {
          node {
            ...UserCardFields
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

const FollowingQuery = graphql(`
  query Following($handle: String!, $first: Int!, $after: String) {
    user(handle: $handle) {
      ...UserNameFields
      following(first: $first, after: $after) {
        edges {
          node {
            ...UserCardFields
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

/** Who follows a person (/u/:handle/followers) or whom they follow (/u/:handle/following). */
export default function Follows(props: PageProps) {
  const { pathname } = useLocation();
  return pathname.endsWith('/followers') ? <Followers {...props} /> : <Following {...props} />;
}

function Followers({ params, search }: PageProps) {
  const handle = params.handle!.toLowerCase();
  const list = useConnection(FollowersQuery, { handle }, (data) => data.user?.followers, { pageSize: 30 });
  const user = list.data?.user;
  if (list.loading) return <Skeleton lines={2} count={4} />;
  if (list.error && !user) return <PageError error={list.error} />;
  if (!user) return <NotFound params={params} search={search} what="user" />;
  return (
    <People
      title={`People following ${user.displayName}`}
      back={user}
      people={list.nodes}
      empty={`Nobody follows ${user.displayName} yet.`}
      more={list.hasMore ? list.loadMore : undefined}
      loadingMore={list.loadingMore}
    />
  );
}

function Following({ params, search }: PageProps) {
  const handle = params.handle!.toLowerCase();
  const list = useConnection(FollowingQuery, { handle }, (data) => data.user?.following, { pageSize: 30 });
  const user = list.data?.user;
  if (list.loading) return <Skeleton lines={2} count={4} />;
  if (list.error && !user) return <PageError error={list.error} />;
  if (!user) return <NotFound params={params} search={search} what="user" />;
  return (
    <People
      title={`People ${user.displayName} follows`}
      back={user}
      people={list.nodes}
      empty={`${user.displayName} does not follow anyone yet.`}
      more={list.hasMore ? list.loadMore : undefined}
      loadingMore={list.loadingMore}
    />
  );
}

function People(props: {
  title: string;
  back: { handle: string; displayName: string };
  people: readonly { id: string; handle: string; displayName: string; bio: string; followerCount: number }[];
  empty: string;
  more?: () => void;
  loadingMore: boolean;
}) {
  return (
    <>
      <p className="breadcrumb">
        <Link to={paths.user(props.back.handle)}>← {props.back.displayName}</Link>
      </p>
      <PageHeading>{props.title}</PageHeading>
      {props.people.length === 0 ? (
        <EmptyState title={props.empty} />
      ) : (
        <ul className="list people" aria-label="People">
          {props.people.map((person) => (
            <li key={person.id}>
              <Link className="item-title" to={paths.user(person.handle)}>
                {person.displayName}
              </Link>
              <p className="meta">
                @{person.handle} · {person.followerCount} {person.followerCount === 1 ? 'follower' : 'followers'}
              </p>
              {person.bio && <p className="bio-snippet">{person.bio}</p>}
            </li>
          ))}
        </ul>
      )}
      {props.more && <LoadMore label="More people" onMore={props.more} loading={props.loadingMore} />}
    </>
  );
}
