import { useRef, useState } from 'react';
import { useMutation, useSubscription } from 'urql';
import { graphql } from '../__generated__';
import type { PostItemFieldsFragment } from '../__generated__/graphql';
import { EmptyState } from '../components/EmptyState';
import { FormErrors, TextField, useForm } from '../components/form';
import { LoadMore } from '../components/LoadMore';
import { PostList } from '../components/PostList';
import { PageError } from '../components/PageError';
import { Skeleton } from '../components/Skeleton';
import { useConnection } from '../connection';
import { LIMITS, lengthProblem, parseTags, tagsProblem } from '../limits';
import { paths } from '../paths';
import { Link, PageHeading, navigate, type PageProps } from '../router';
import { useSessionUser } from '../session';
import NotFound from './NotFound';

const PanelQuery = graphql(`
  query PanelPosts($slug: String!, $first: Int!, $after: String) {
    panel(slug: $slug) {
      id
      name
      description
      postCount
      createdBy {
        ...UserNameFields
      }
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

const PostAddedSubscription = graphql(`
  subscription PanelPostAdded($panelId: ID!) {
    postAdded(panelId: $panelId) {
      ...PostItemFields
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

/** A panel: its posts, newest first, new ones appearing live, and a form to write one. */
export default function PanelPage({ params, search }: PageProps) {
  const slug = params.slug!;
  const posts = useConnection(PanelQuery, { slug }, (data) => data.panel?.posts);
  const panel = posts.data?.panel;
  const [live] = useSubscription(
    { query: PostAddedSubscription, variables: { panelId: panel?.id ?? '' }, pause: !panel },
    (previous: PostItemFieldsFragment[] = [], event) => [event.postAdded, ...previous],
  );

  if (posts.loading) return <Skeleton lines={3} count={4} />;
  if (posts.error && !panel) return <PageError error={posts.error} />;
  if (!panel) return <NotFound params={params} search={search} what="panel" />;

  const loaded = new Set(posts.nodes.map((p) => p.id));
  const arrived = (live.data ?? []).filter((p) => !loaded.has(p.id));
  const items = [...arrived, ...posts.nodes];
  const count = panel.postCount + arrived.length;
  return (
    <>
      <p className="breadcrumb">
        <Link to={paths.panels()}>← All panels</Link>
      </p>
      <PageHeading>{panel.name}</PageHeading>
      {panel.description && <p className="lead">{panel.description}</p>}
      <p className="meta">
        {count} {count === 1 ? 'post' : 'posts'} · started by{' '}
        <Link to={paths.user(panel.createdBy.handle)}>{panel.createdBy.displayName}</Link>
      </p>
      {search.get('deleted') && (
        <p className="notice" role="status">
          Your post was deleted.
        </p>
      )}
      <NewPostForm panelId={panel.id} slug={slug} />
      <h2>Posts</h2>
      <p className="visually-hidden" aria-live="polite">
        {arrived.length > 0 ? `${arrived.length} new ${arrived.length === 1 ? 'post' : 'posts'}` : ''}
      </p>
      {items.length === 0 ? (
        <EmptyState title="No posts yet — write the first one." />
      ) : (
        <PostList posts={items} fresh={new Set(arrived.map((p) => p.id))} />
      )}
      {posts.hasMore && <LoadMore label="More posts" onMore={posts.loadMore} loading={posts.loadingMore} />}
    </>
  );
}

function NewPostForm({ panelId, slug }: { panelId: string; slug: string }) {
  const user = useSessionUser();
  const [open, setOpen] = useState(false);
  const [result, createPost] = useMutation(CreatePostMutation);
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [tags, setTags] = useState('');
  const titleRef = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const form = useForm({
    fields: ['title', 'body', 'tags'],
    validate: () => ({
      title: lengthProblem('Title', title, LIMITS.postTitle),
      body: lengthProblem('Body', body, LIMITS.postBody),
      tags: tagsProblem(tags),
    }),
  });

  if (!user) {
    return (
      <p className="notice">
        <Link to={paths.signIn(paths.panel(slug))}>Sign in</Link> to write a post.
      </p>
    );
  }
  if (!open) {
    return (
      <button
        type="button"
        aria-expanded="false"
        onClick={() => {
          setOpen(true);
          requestAnimationFrame(() => titleRef.current?.focus());
        }}
      >
        Write a post
      </button>
    );
  }

  const submit = form.submit(async () => {
    const outcome = await createPost(
      { input: { panelId, title: title.trim(), body: body.trim(), tags: parseTags(tags) } },
      { additionalTypenames: ['Post'] },
    );
    if (outcome.data) navigate(paths.post(outcome.data.createPost.id));
    return outcome;
  });

  return (
    <form ref={form.formRef} onSubmit={submit} aria-label="New post" className="card" noValidate>
      <h2>New post</h2>
      <TextField
        label="Title"
        value={title}
        onChange={setTitle}
        inputRef={titleRef}
        hint={`Up to ${LIMITS.postTitle.max} characters`}
        max={LIMITS.postTitle.max}
        {...form.field('title')}
      />
      <TextField
        label="Body"
        value={body}
        onChange={setBody}
        multiline
        rows={6}
        hint="Plain text; line breaks are kept"
        max={LIMITS.postBody.max}
        {...form.field('body')}
      />
      <TextField
        label="Tags (comma-separated)"
        value={tags}
        onChange={setTags}
        hint={`Up to ${LIMITS.tags.count} tags of ${LIMITS.tags.length} characters`}
        {...form.field('tags')}
      />
      <FormErrors messages={form.general} />
      <div className="actions">
        <button type="submit" disabled={result.fetching}>
          {result.fetching ? 'Publishing…' : 'Create post'}
        </button>
        <button type="button" className="secondary" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
