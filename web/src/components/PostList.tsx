import type { PostItemFieldsFragment } from '../__generated__/graphql';
import { paths } from '../paths';
import { Link } from '../router';
import { RelativeTime } from './RelativeTime';
import { Tags } from './Tags';

/** Posts as cards: title, author (linked to their profile), age, comments, tags. */
export function PostList({
  posts,
  fresh,
  showAuthor = true,
}: {
  posts: readonly PostItemFieldsFragment[];
  fresh?: ReadonlySet<string>;
  showAuthor?: boolean;
}) {
  return (
    <ul className="list" aria-label="Posts">
      {posts.map((post) => (
        <li key={post.id} className={fresh?.has(post.id) ? 'new-item' : undefined} data-testid="post-item">
          <Link className="item-title" to={paths.post(post.id)}>
            {post.title}
          </Link>
          <p className="meta">
            {showAuthor && (
              <>
                by <Link to={paths.user(post.author.handle)}>{post.author.displayName}</Link> ·{' '}
              </>
            )}
            <RelativeTime iso={post.createdAt} /> · {post.commentCount}{' '}
            {post.commentCount === 1 ? 'comment' : 'comments'}
          </p>
          <Tags tags={post.tags} />
        </li>
      ))}
    </ul>
  );
}
