import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../__generated__';
import { ApiError } from '../ApiError';
import { paths } from '../paths';
import { Link, PageHeading, navigate } from '../router';
import { useSessionUser } from '../session';

const PAGE_SIZE = 20;

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

export default function Panels() {
  // One cursor per loaded page; "More panels" appends the last page's endCursor.
  const [pages, setPages] = useState<(string | null)[]>([null]);
  return (
    <>
      <PageHeading>Panels</PageHeading>
      <NewPanelForm />
      <ul className="list">
        {pages.map((after, i) => (
          <PanelsPage
            key={after ?? 'first'}
            after={after}
            onMore={i === pages.length - 1 ? (cursor) => setPages([...pages, cursor]) : undefined}
          />
        ))}
      </ul>
    </>
  );
}

function PanelsPage({ after, onMore }: { after: string | null; onMore?: (cursor: string) => void }) {
  const [{ data, fetching, error }] = useQuery({
    query: PanelsQuery,
    variables: { first: PAGE_SIZE, after },
    requestPolicy: 'cache-and-network',
  });
  const pageInfo = data?.panels.pageInfo;
  return (
    <>
      {data?.panels.edges.map(({ node }) => (
        <li key={node.id}>
          <Link to={paths.panel(node.slug)}>{node.name}</Link> <small>/{node.slug}</small>{' '}
          <small>
            {node.postCount} {node.postCount === 1 ? 'post' : 'posts'}
          </small>
          {node.description && <p>{node.description}</p>}
        </li>
      ))}
      {fetching && !data && <li>Loading…</li>}
      {error && (
        <li>
          <ApiError error={error} />
        </li>
      )}
      {onMore && pageInfo?.hasNextPage && pageInfo.endCursor && (
        <li>
          <button type="button" onClick={() => onMore(pageInfo.endCursor!)}>
            More panels
          </button>
        </li>
      )}
    </>
  );
}

function NewPanelForm() {
  const user = useSessionUser();
  const [result, createPanel] = useMutation(CreatePanelMutation);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');

  if (!user) {
    return (
      <p>
        <Link to={paths.signIn()}>Sign in</Link> to create a panel.
      </p>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { data } = await createPanel({ input: { name, description } });
    if (data) navigate(paths.panel(data.createPanel.slug));
  };

  return (
    <form onSubmit={submit} aria-label="New panel" className="card">
      <h2>New panel</h2>
      <label>
        Panel name
        <input value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      <label>
        Panel description
        <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={2} />
      </label>
      <button type="submit" disabled={result.fetching}>
        Create panel
      </button>
      <ApiError error={result.error} />
    </form>
  );
}
