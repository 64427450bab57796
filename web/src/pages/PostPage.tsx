import { useRef, useState } from 'react';
import { useMutation, useSubscription, type CombinedError } from 'urql';
import { graphql } from '../__generated__';
import type { CommentFieldsFragment } from '../__generated__/graphql';
import { ConfirmButton } from '../components/ConfirmButton';
import { EmptyState } from '../components/EmptyState';
import { FormErrors, TextField, useForm } from '../components/form';
import { LoadMore } from '../components/LoadMore';
import { RelativeTime } from '../components/RelativeTime';
import { PageError } from '../components/PageError';
import { Skeleton } from '../components/Skeleton';
import { Tags } from '../components/Tags';
import { useConnection } from '../connection';
import { describeError } from '../errors';
import { LIMITS, lengthProblem, parseTags, tagsProblem } from '../limits';
import { paths } from '../paths';
import { Link, PageHeading, navigate, type PageProps } from '../router';
import { useSession, type Session } from '../session';
import NotFound from './NotFound';

const PostQueryDocument = graphql(`
  query Post($id: ID!, $first: Int!, $after: String) {
    post(id: $id) {
      id
      title
      body
      tags
      createdAt
      updatedAt
      commentCount
      author {
        ...UserNameFields
      }
      panel {
        id
        slug
        name
      }
      comments(first: $first, after: $after) {
        edges {
          node {
            ...CommentFields
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

const CommentAddedSubscription = graphql(`
  subscription PostCommentAdded($postId: ID!) {
    commentAdded(postId: $postId) {
      ...CommentFields
    }
  }
`);

const UpdatePostMutation = graphql(`
  mutation UpdatePost($id: ID!, $input: UpdatePostInput!) {
    updatePost(id: $id, input: $input) {
      id
      title
      body
      tags
      updatedAt
    }
  }
`);

const DeletePostMutation = graphql(`
  mutation DeletePost($id: ID!) {
    deletePost(id: $id)
  }
`);

const AddCommentMutation = graphql(`
  mutation AddComment($input: AddCommentInput!) {
    addComment(input: $input) {
      ...CommentFields
    }
  }
`);

const UpdateCommentMutation = graphql(`
  mutation UpdateComment($id: ID!, $body: String!) {
    updateComment(id: $id, body: $body) {
      id
      body
      updatedAt
    }
  }
`);

const DeleteCommentMutation = graphql(`
  mutation DeleteComment($id: ID!) {
    deleteComment(id: $id)
  }
`);

type CommentNode = CommentFieldsFragment;

const mayChange = (session: Session, authorId: string) =>
  session.user?.id === authorId || session.roles.includes('admin');

const edited = (item: { createdAt: string; updatedAt: string }) =>
  new Date(item.updatedAt).getTime() - new Date(item.createdAt).getTime() > 1000;

/** A post, its threaded comments (new ones appear live), and editing for its author. */
export default function PostPage({ params, search }: PageProps) {
  const id = params.id!;
  const comments = useConnection(PostQueryDocument, { id }, (data) => data.post?.comments, { pageSize: 100 });
  const post = comments.data?.post;
  const [live] = useSubscription(
    { query: CommentAddedSubscription, variables: { postId: id } },
    (previous: CommentNode[] = [], event) => [...previous, event.commentAdded],
  );
  // Comments this tab wrote, edited or deleted, shown before the query catches up.
  const [mine, setMine] = useState<CommentNode[]>([]);
  const [changes, setChanges] = useState<Record<string, { body: string; updatedAt: string }>>({});
  const [deleted, setDeleted] = useState<ReadonlySet<string>>(new Set());

  if (comments.loading) return <Skeleton lines={5} count={2} />;
  if (comments.error && !post) return <PageError error={comments.error} />;
  if (!post) return <NotFound params={params} search={search} what="post" />;

  // Oldest first; loaded, live and own comments merged by id; deleted ones left out.
  const byId = new Map<string, CommentNode>();
  for (const c of [...comments.nodes].reverse()) byId.set(c.id, c);
  for (const c of [...(live.data ?? []), ...mine]) if (!byId.has(c.id)) byId.set(c.id, c);
  const all = [...byId.values()]
    .filter((c) => !deleted.has(c.id))
    .map((c) => (changes[c.id] ? { ...c, ...changes[c.id] } : c))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const loadedIds = new Set(comments.nodes.map((c) => c.id));
  const fresh = new Set(all.filter((c) => !loadedIds.has(c.id)).map((c) => c.id));
  const known = new Set(all.map((c) => c.id));
  const roots = all.filter((c) => !c.parent || !known.has(c.parent.id));
  const repliesTo = (parentId: string) => all.filter((c) => c.parent?.id === parentId);
  const extra = [...fresh].length - [...deleted].filter((d) => loadedIds.has(d)).length;
  const count = Math.max(0, (post.commentCount ?? 0) + extra);

  const thread = {
    postId: post.id,
    repliesTo,
    fresh,
    added: (comment: CommentNode) => setMine((list) => [...list, comment]),
    changed: (commentId: string, change: { body: string; updatedAt: string } | null) =>
      setChanges((all) => {
        const next = { ...all };
        if (change) next[commentId] = change;
        else delete next[commentId];
        return next;
      }),
    removed: (commentId: string) => setDeleted((set) => new Set(set).add(commentId)),
  };

  return (
    <article>
      <p className="breadcrumb">
        <Link to={paths.panel(post.panel.slug)}>← {post.panel.name}</Link>
      </p>
      <PostBody post={post} />
      <section aria-labelledby="comments-heading">
        <h2 id="comments-heading">
          {count} {count === 1 ? 'comment' : 'comments'}
        </h2>
        <CommentForm postId={post.id} onAdded={thread.added} />
        <p className="visually-hidden" aria-live="polite">
          {fresh.size > 0 ? `${fresh.size} new ${fresh.size === 1 ? 'comment' : 'comments'}` : ''}
        </p>
        {roots.length === 0 ? (
          <EmptyState title="No comments yet — start the conversation." />
        ) : (
          <ul className="thread top" aria-label="Comments">
            {roots.map((comment) => (
              <CommentItem key={comment.id} comment={comment} thread={thread} />
            ))}
          </ul>
        )}
        {comments.hasMore && (
          <LoadMore label="Earlier comments" onMore={comments.loadMore} loading={comments.loadingMore} />
        )}
      </section>
    </article>
  );
}

type PostData = {
  id: string;
  title: string;
  body: string;
  tags: readonly string[];
  createdAt: string;
  updatedAt: string;
  author: { id: string; handle: string; displayName: string };
  panel: { slug: string; name: string };
};

function PostBody({ post }: { post: PostData }) {
  const session = useSession();
  const [editing, setEditing] = useState(false);
  // The edit shows at once; if the server refuses it, the form comes back with the reason.
  const [optimistic, setOptimistic] = useState<{ title: string; body: string; tags: string[] } | null>(null);
  const [refused, setRefused] = useState<CombinedError>();
  const [, updatePost] = useMutation(UpdatePostMutation);
  const [deletion, deletePost] = useMutation(DeletePostMutation);
  const shown = optimistic ?? post;
  const canChange = mayChange(session, post.author.id);

  const save = async (change: { title: string; body: string; tags: string[] }) => {
    setOptimistic(change);
    setEditing(false);
    const result = await updatePost({ id: post.id, input: change });
    setOptimistic(null);
    if (result.error) {
      setRefused(result.error);
      setEditing(true);
    } else setRefused(undefined);
    return result;
  };

  const remove = async () => {
    const result = await deletePost({ id: post.id }, { additionalTypenames: ['Post', 'Panel'] });
    if (!result.error) navigate(`${paths.panel(post.panel.slug)}?deleted=1`, { replace: true });
  };

  if (editing) {
    return (
      <>
        <PageHeading title={`Edit: ${post.title}`}>Edit post</PageHeading>
        <PostEditor initial={optimistic ?? post} refused={refused} onSave={save} onCancel={() => setEditing(false)} />
      </>
    );
  }
  return (
    <>
      <PageHeading>{shown.title}</PageHeading>
      <p className="meta">
        by <Link to={paths.user(post.author.handle)}>{post.author.displayName}</Link> ·{' '}
        <RelativeTime iso={post.createdAt} />
        {edited(post) && (
          <>
            {' '}
            · <RelativeTime iso={post.updatedAt} prefix="edited " />
          </>
        )}
        {optimistic && ' · saving…'}
      </p>
      <Tags tags={shown.tags} />
      <div className="body post-body" data-testid="post-body">
        {shown.body}
      </div>
      {canChange && (
        <div className="actions">
          <button type="button" className="secondary" onClick={() => setEditing(true)}>
            Edit post
          </button>
          <ConfirmButton
            className="secondary"
            label="Delete post"
            question="Delete this post for everyone?"
            confirmLabel="Yes, delete it"
            busy={deletion.fetching}
            onConfirm={remove}
          />
        </div>
      )}
      <FormErrors messages={describeError(deletion.error).general} />
    </>
  );
}

function PostEditor(props: {
  initial: { title: string; body: string; tags: readonly string[] };
  refused?: CombinedError;
  onSave: (change: { title: string; body: string; tags: string[] }) => Promise<{ error?: CombinedError }>;
  onCancel: () => void;
}) {
  const [title, setTitle] = useState(props.initial.title);
  const [body, setBody] = useState(props.initial.body);
  const [tags, setTags] = useState(props.initial.tags.join(', '));
  const form = useForm({
    fields: ['title', 'body', 'tags'],
    validate: () => ({
      title: lengthProblem('Title', title, LIMITS.postTitle),
      body: lengthProblem('Body', body, LIMITS.postBody),
      tags: tagsProblem(tags),
    }),
  });
  const [initialError] = useState(props.refused);
  const general = [...form.general, ...(initialError ? describeError(initialError).general : [])];
  return (
    <form
      ref={form.formRef}
      aria-label="Edit post"
      className="card"
      noValidate
      onSubmit={form.submit(() => props.onSave({ title: title.trim(), body: body.trim(), tags: parseTags(tags) }))}
    >
      <TextField label="Title" value={title} onChange={setTitle} max={LIMITS.postTitle.max} {...form.field('title')} />
      <TextField
        label="Body"
        value={body}
        onChange={setBody}
        multiline
        rows={8}
        max={LIMITS.postBody.max}
        {...form.field('body')}
      />
      <TextField
        label="Tags (comma-separated)"
        value={tags}
        onChange={setTags}
        hint={`Up to ${LIMITS.tags.count} tags`}
        {...form.field('tags')}
      />
      <FormErrors messages={general} />
      <div className="actions">
        <button type="submit">Save changes</button>
        <button type="button" className="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

interface Thread {
  postId: string;
  repliesTo: (parentId: string) => CommentNode[];
  fresh: ReadonlySet<string>;
  added: (comment: CommentNode) => void;
  changed: (id: string, change: { body: string; updatedAt: string } | null) => void;
  removed: (id: string) => void;
}

function CommentItem({ comment, thread }: { comment: CommentNode; thread: Thread }) {
  const session = useSession();
  const [replying, setReplying] = useState(false);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<CombinedError>();
  const [, updateComment] = useMutation(UpdateCommentMutation);
  const [deletion, deleteComment] = useMutation(DeleteCommentMutation);
  const replies = thread.repliesTo(comment.id);
  const canChange = mayChange(session, comment.author.id);
  const who = comment.author.displayName;

  const save = async (body: string) => {
    const before = { body: comment.body, updatedAt: comment.updatedAt };
    thread.changed(comment.id, { body, updatedAt: new Date().toISOString() });
    setEditing(false);
    const result = await updateComment({ id: comment.id, body });
    if (result.error) {
      thread.changed(comment.id, before);
      setEditing(true);
    }
    return result;
  };
  const remove = async () => {
    const result = await deleteComment({ id: comment.id }, { additionalTypenames: ['Comment'] });
    if (result.error) setError(result.error);
    else thread.removed(comment.id);
  };

  return (
    <li id={`comment-${comment.id}`} className={thread.fresh.has(comment.id) ? 'new-item' : undefined}>
      <p className="meta">
        <Link to={paths.user(comment.author.handle)}>{who}</Link> · <RelativeTime iso={comment.createdAt} />
        {edited(comment) && ' · edited'}
      </p>
      {editing ? (
        <CommentForm
          postId={thread.postId}
          initial={comment.body}
          label="Edit your comment"
          submitLabel="Save"
          onSave={save}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <p className="body">{comment.body}</p>
      )}
      <div className="actions comment-actions">
        {session.user && (
          <button
            type="button"
            className="link"
            aria-label={`Reply to ${who}`}
            aria-expanded={replying}
            onClick={() => setReplying(!replying)}
          >
            Reply
          </button>
        )}
        {canChange && !editing && (
          <button type="button" className="link" aria-label={`Edit comment by ${who}`} onClick={() => setEditing(true)}>
            Edit
          </button>
        )}
        {canChange && (
          <ConfirmButton
            label="Delete"
            ariaLabel={`Delete comment by ${who}`}
            question="Delete this comment?"
            confirmLabel="Yes, delete"
            busy={deletion.fetching}
            onConfirm={remove}
          />
        )}
      </div>
      <FormErrors messages={describeError(error).general} />
      {replying && (
        <CommentForm
          postId={thread.postId}
          parentId={comment.id}
          replyTo={who}
          onAdded={(reply) => {
            setReplying(false);
            thread.added(reply);
          }}
          onCancel={() => setReplying(false)}
        />
      )}
      {replies.length > 0 && (
        <ul className="thread">
          {replies.map((reply) => (
            <CommentItem key={reply.id} comment={reply} thread={thread} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** New comment, reply, or edit (with `onSave`). */
function CommentForm(props: {
  postId: string;
  parentId?: string;
  replyTo?: string;
  initial?: string;
  label?: string;
  submitLabel?: string;
  onAdded?: (comment: CommentNode) => void;
  onSave?: (body: string) => Promise<{ error?: CombinedError }>;
  onCancel?: () => void;
}) {
  const { user } = useSession();
  const [result, addComment] = useMutation(AddCommentMutation);
  const [body, setBody] = useState(props.initial ?? '');
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const form = useForm({
    fields: ['body'],
    validate: () => ({ body: lengthProblem('Your comment', body, LIMITS.comment) }),
    overrides: { NOT_FOUND: 'This post was deleted; comments are closed.' },
  });

  if (!user) {
    return (
      <p className="notice">
        <Link to={paths.signIn(paths.post(props.postId))}>Sign in</Link> to comment.
      </p>
    );
  }

  const submit = form.submit(async () => {
    if (props.onSave) return props.onSave(body.trim());
    const outcome = await addComment({ input: { postId: props.postId, body: body.trim(), parentId: props.parentId } });
    if (outcome.data) {
      setBody('');
      form.reset();
      props.onAdded?.(outcome.data.addComment);
    }
    return outcome;
  });

  const isReply = Boolean(props.parentId);
  const label = props.label ?? (isReply ? `Your reply to ${props.replyTo}` : 'Your comment');
  return (
    <form
      ref={form.formRef}
      onSubmit={submit}
      aria-label={props.onSave ? 'Edit comment' : isReply ? 'Reply form' : 'New comment'}
      className="comment-form"
      noValidate
    >
      <TextField
        label={label}
        value={body}
        onChange={setBody}
        inputRef={ref}
        multiline
        rows={isReply || props.onSave ? 2 : 3}
        max={LIMITS.comment.max}
        autoFocus={isReply || Boolean(props.onSave)}
        {...form.field('body')}
      />
      <FormErrors messages={form.general} />
      <div className="actions">
        <button type="submit" disabled={result.fetching}>
          {props.submitLabel ?? (isReply ? 'Post reply' : 'Add comment')}
        </button>
        {props.onCancel && (
          <button type="button" className="secondary" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
