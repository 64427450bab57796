import { useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../__generated__';
import { EmptyState } from '../components/EmptyState';
import { FormErrors, TextField, useForm } from '../components/form';
import { LoadMore } from '../components/LoadMore';
import { RelativeTime } from '../components/RelativeTime';
import { Skeleton } from '../components/Skeleton';
import { useConnection } from '../connection';
import { LIMITS, lengthProblem } from '../limits';
import { paths } from '../paths';
import { Link, PageHeading, navigate } from '../router';
import { useSessionUser } from '../session';

const PanelsQuery = graphql(`
  query Panels($first: Int!, $after: String) {
    panels(first: $first, after: $after) {
      edges {
        node {
          id
          slug
          name
          description
          postCount
          createdAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const CreatePanelMutation = graphql(`
  mutation CreatePanel($input: CreatePanelInput!) {
    createPanel(input: $input) {
      id
      slug
    }
  }
`);

/** The home page: every panel, newest first, and a form to start one. */
export default function Panels() {
  const panels = useConnection(PanelsQuery, {}, (data) => data.panels);
  return (
    <>
      <div className="page-head">
        <PageHeading>Panels</PageHeading>
      </div>
      <p className="lead">Themed areas for posts and discussion.</p>
      <NewPanelForm />
      <h2>All panels</h2>
      {panels.loading && <Skeleton lines={2} count={3} />}
      <FormErrors messages={panels.error && panels.nodes.length === 0 ? ['The panels could not be loaded.'] : []} />
      {!panels.loading && !panels.error && panels.nodes.length === 0 && (
        <EmptyState title="No panels yet — create the first one." />
      )}
      <ul className="list">
        {panels.nodes.map((panel) => (
          <li key={panel.id}>
            <Link className="item-title" to={paths.panel(panel.slug)}>
              {panel.name}
            </Link>
            {panel.description && <p>{panel.description}</p>}
            <div className="meta">
              {panel.postCount} {panel.postCount === 1 ? 'post' : 'posts'} · started{' '}
              <RelativeTime iso={panel.createdAt} />
            </div>
          </li>
        ))}
      </ul>
      {panels.hasMore && <LoadMore label="More panels" onMore={panels.loadMore} loading={panels.loadingMore} />}
    </>
  );
}

function NewPanelForm() {
  const user = useSessionUser();
  const [result, createPanel] = useMutation(CreatePanelMutation);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const form = useForm({
    fields: ['name', 'description'],
    validate: () => ({
      name: lengthProblem('Panel name', name, LIMITS.panelName),
      description: lengthProblem('Description', description, LIMITS.panelDescription),
    }),
  });

  if (!user) {
    return (
      <p className="notice">
        <Link to={paths.signIn('/')}>Sign in</Link> to create a panel.
      </p>
    );
  }

  const submit = form.submit(async () => {
    const outcome = await createPanel({ input: { name: name.trim(), description: description.trim() } });
    if (outcome.data) navigate(paths.panel(outcome.data.createPanel.slug));
    return outcome;
  });

  return (
    <form ref={form.formRef} onSubmit={submit} aria-label="New panel" className="card" noValidate>
      <h2>New panel</h2>
      <TextField
        label="Panel name"
        value={name}
        onChange={setName}
        hint={`${LIMITS.panelName.min} to ${LIMITS.panelName.max} characters`}
        max={LIMITS.panelName.max}
        {...form.field('name')}
      />
      <TextField
        label="Panel description"
        value={description}
        onChange={setDescription}
        hint="Optional"
        max={LIMITS.panelDescription.max}
        multiline
        rows={2}
        {...form.field('description')}
      />
      <FormErrors messages={form.general} />
      <button type="submit" disabled={result.fetching}>
        {result.fetching ? 'Creating…' : 'Create panel'}
      </button>
    </form>
  );
}
