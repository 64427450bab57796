import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../__generated__';
import type { PostQuery } from '../__generated__/graphql';
import { ApiError } from '../ApiError';
import { paths } from '../paths';
import { Link, PageHeading, type PageProps } from '../router';
import { useSessionUser } from '../session';

const PostQueryDocument = graphql(`
  query Post($id: ID!) {
    post(id: $id) {
      id
      title
      body
      tags
      author {
        handle
      }
      panel {
        slug
        name
      }
      createdAt
      comments(first: 50) {
        edges {
          node {
            id
            body
            author {
              handle
            }
            parent {
              id
            }
            createdAt
          }
        }
      }
    }
  }
`);

const AddCommentMutation = graphql(`
  mutation AddComment($input: AddCommentInput!) {
    addComment(input: $input) {
      id
    }
  }
`);

type CommentNode = NonNullable<PostQuery['post']>['comments']['edges'][number]['node'];

export default function PostPage({ params }: PageProps) {
  const id = params.id!;
  const [{ data, fetching, error }, refetch] = useQuery({
    query: PostQueryDocument,
    variables: { id },
    requestPolicy: 'cache-and-network',
  });
  const reload = () => refetch({ requestPolicy: 'network-only' });

  if (error) return <ApiError error={error} />;
  if (!data) return fetching ? <p>Loading…</p> : null;
  const post = data.post;
  if (!post) return <p>This post does not exist (or was deleted).</p>;

  // The API lists comments newest first; a thread reads oldest first, replies under their parent.
  const comments = post.comments.edges.map((e) => e.node).reverse();
  const known = new Set(comments.map((c) => c.id));
  const roots = comments.filter((c) => !c.parent || !known.has(c.parent.id));
  const repliesTo = (parentId: string) => comments.filter((c) => c.parent?.id === parentId);

  return (
    <article>
      <p>
        <Link to={paths.panel(post.panel.slug)}>← {post.panel.name}</Link>
      </p>
      <PageHeading>{post.title}</PageHeading>
      <div className="meta">
        by @{post.author.handle} · {new Date(post.createdAt).toLocaleString()}
        {post.tags.map((tag) => (
          <span key={tag} className="tag">
            {tag}
          </span>
        ))}
      </div>
      <p className="body" data-testid="post-body">
        {post.body}
      </p>
      <h2>Comments</h2>
      <CommentForm postId={post.id} onAdded={reload} />
      <ul className="thread" aria-label="Comments">
        {roots.map((comment) => (
          <CommentItem key={comment.id} comment={comment} postId={post.id} repliesTo={repliesTo} onAdded={reload} />
        ))}
      </ul>
    </article>
  );
}

function CommentItem(props: {
  comment: CommentNode;
  postId: string;
  repliesTo: (parentId: string) => CommentNode[];
  onAdded: () => void;
}) {
  const { comment, postId, repliesTo, onAdded } = props;
  const user = useSessionUser();
  const [replying, setReplying] = useState(false);
  const replies = repliesTo(comment.id);
  return (
    <li>
      <div className="meta">
        @{comment.author.handle} · {new Date(comment.createdAt).toLocaleString()}
      </div>
      <p className="body">{comment.body}</p>
      {user && (
        <button
          type="button"
          className="link"
          aria-label={`Reply to @${comment.author.handle}`}
          aria-expanded={replying}
          onClick={() => setReplying(!replying)}
        >
          Reply
        </button>
      )}
      {replying && (
        <CommentForm
          postId={postId}
          parentId={comment.id}
          onAdded={() => {
            setReplying(false);
            onAdded();
          }}
        />
      )}
      {replies.length > 0 && (
        <ul className="thread">
          {replies.map((reply) => (
            <CommentItem key={reply.id} comment={reply} postId={postId} repliesTo={repliesTo} onAdded={onAdded} />
          ))}
        </ul>
      )}
    </li>
  );
}

function CommentForm({ postId, parentId, onAdded }: { postId: string; parentId?: string; onAdded: () => void }) {
  const user = useSessionUser();
  const [result, addComment] = useMutation(AddCommentMutation);
  const [body, setBody] = useState('');

  if (!user) {
    return (
      <p>
        <Link to={paths.signIn()}>Sign in</Link> to comment.
      </p>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { data } = await addComment({ input: { postId, body, parentId } });
    if (data) {
      setBody('');
      onAdded();
    }
  };

  const label = parentId ? 'Your reply' : 'Your comment';
  return (
    <form onSubmit={submit} aria-label={parentId ? 'Reply form' : 'New comment'} className="comment-form">
      <label>
        {label}
        <textarea value={body} onChange={(e) => setBody(e.target.value)} rows={parentId ? 2 : 3} required />
      </label>
      <button type="submit" disabled={result.fetching}>
        {parentId ? 'Post reply' : 'Add comment'}
      </button>
      <ApiError error={result.error} />
    </form>
  );
}
