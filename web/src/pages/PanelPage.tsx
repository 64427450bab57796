import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../__generated__';
import { ApiError } from '../ApiError';
import { paths } from '../paths';
import { Link, PageHeading, navigate, type PageProps } from '../router';
import { useSessionUser } from '../session';

const PAGE_SIZE = 20;

const PanelQuery = graphql(`
  query PanelPosts($slug: String!, $first: Int!, $after: String) {
    panel(slug: $slug) {
      id
      name
      description
      postCount
      posts(first: $first, after: $after) {
        edges {
          node {
            id
            title
            author {
              handle
            }
            createdAt
            commentCount
            tags
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

const CreatePostMutation = graphql(`
  mutation CreatePost($input: CreatePostInput!) {
    createPost(input: $input) {
      id
    }
  }
`);

export default function PanelPage({ params }: PageProps) {
  const slug = params.slug!;
  // The first page also carries the panel's name and counts; later pages are appended by "More posts".
  const [{ data, fetching, error }] = useQuery({
    query: PanelQuery,
    variables: { slug, first: PAGE_SIZE, after: null },
    requestPolicy: 'cache-and-network',
  });
  const [pages, setPages] = useState<(string | null)[]>([null]);

  if (error) return <ApiError error={error} />;
  if (!data) return fetching ? <p>Loading…</p> : null;
  const panel = data.panel;
  if (!panel) return <p>No panel “{slug}”.</p>;
  return (
    <>
      <p>
        <Link to={paths.panels()}>← Panels</Link>
      </p>
      <PageHeading>{panel.name}</PageHeading>
      {panel.description && <p>{panel.description}</p>}
      <p>
        <small>
          {panel.postCount} {panel.postCount === 1 ? 'post' : 'posts'}
        </small>
      </p>
      <NewPostForm panelId={panel.id} />
      <ul className="list">
        {pages.map((after, i) => (
          <PostsPage
            key={after ?? 'first'}
            slug={slug}
            after={after}
            onMore={i === pages.length - 1 ? (cursor) => setPages([...pages, cursor]) : undefined}
          />
        ))}
      </ul>
    </>
  );
}

function PostsPage({ slug, after, onMore }: { slug: string; after: string | null; onMore?: (cursor: string) => void }) {
  const [{ data, fetching, error }] = useQuery({
    query: PanelQuery,
    variables: { slug, first: PAGE_SIZE, after },
    requestPolicy: 'cache-and-network',
  });
  const posts = data?.panel?.posts;
  return (
    <>
      {posts?.edges.map(({ node }) => (
        <li key={node.id}>
          <Link to={paths.post(node.id)}>{node.title}</Link>
          <div className="meta">
            by @{node.author.handle} · {new Date(node.createdAt).toLocaleString()} · {node.commentCount}{' '}
            {node.commentCount === 1 ? 'comment' : 'comments'}
            {node.tags.map((tag) => (
              <span key={tag} className="tag">
                {tag}
              </span>
            ))}
          </div>
        </li>
      ))}
      {fetching && !data && <li>Loading…</li>}
      {error && (
        <li>
          <ApiError error={error} />
        </li>
      )}
      {onMore && posts?.pageInfo.hasNextPage && posts.pageInfo.endCursor && (
        <li>
          <button type="button" onClick={() => onMore(posts.pageInfo.endCursor!)}>
            More posts
          </button>
        </li>
      )}
    </>
  );
}

function NewPostForm({ panelId }: { panelId: string }) {
  const user = useSessionUser();
  const [result, createPost] = useMutation(CreatePostMutation);
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [tags, setTags] = useState('');

  if (!user) {
    return (
      <p>
        <Link to={paths.signIn()}>Sign in</Link> to post.
      </p>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const tagList = tags
      .split(',')
      .map((tag) => tag.trim())
      .filter(Boolean);
    const { data } = await createPost({ input: { panelId, title, body, tags: tagList } });
    if (data) navigate(paths.post(data.createPost.id));
  };

  return (
    <form onSubmit={submit} aria-label="New post" className="card">
      <h2>New post</h2>
      <label>
        Title
        <input value={title} onChange={(e) => setTitle(e.target.value)} required />
      </label>
      <label>
        Body
        <textarea value={body} onChange={(e) => setBody(e.target.value)} rows={5} required />
      </label>
      <label>
        Tags (comma-separated)
        <input value={tags} onChange={(e) => setTags(e.target.value)} />
      </label>
      <button type="submit" disabled={result.fetching}>
        Create post
      </button>
      <ApiError error={result.error} />
    </form>
  );
}
