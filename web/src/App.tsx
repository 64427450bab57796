import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from './__generated__';

const PanelsQuery = graphql(`
  query Panels($first: Int!, $after: String) {
    panels(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          slug
          name
          description
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
      name
    }
  }
`);

export function App() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: PanelsQuery, variables: { first: 50 } });
  const [created, createPanel] = useMutation(CreatePanelMutation);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await createPanel({ input: { name, description } });
    if (!result.error) {
      setName('');
      setDescription('');
      refetch({ requestPolicy: 'network-only' });
    }
  };

  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 720, margin: '2rem auto' }}>
      <h1>Agora</h1>
      <form onSubmit={submit} aria-label="New panel">
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Panel name"
          aria-label="Panel name"
        />
        <input
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          placeholder="Description"
          aria-label="Description"
        />
        <button type="submit" disabled={created.fetching}>
          Create panel
        </button>
        {created.error && <p role="alert">{created.error.graphQLErrors[0]?.message ?? created.error.message}</p>}
      </form>
      <h2>Panels</h2>
      {fetching && <p>Loading…</p>}
      {error && <p role="alert">{error.message}</p>}
      <ul>
        {data?.panels.edges.map(({ node }) => (
          <li key={node.id}>
            <strong>{node.name}</strong> <small>/{node.slug}</small>
            {node.description && <p>{node.description}</p>}
          </li>
        ))}
      </ul>
    </main>
  );
}
