import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import type { Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createExplorerFetcher } from './fetcher';

const DEFAULT_QUERY = `# Agora's GraphQL API. Press the play button (Ctrl-Enter) to run.
# Signed in? Put your token or API key in the Headers tab:
#   { "x-api-key": "agora_..." }   or   { "authorization": "Bearer <access token>" }
# Subscriptions run over WebSocket (graphql-ws) with the same headers.

query Panels {
  panels(first: 5) {
    edges {
      node {
        name
        slug
        postCount
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
`;

const fetcher: Fetcher = createExplorerFetcher(new URL('/graphql', window.location.href));

createRoot(document.getElementById('explorer')!).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY} shouldPersistHeaders={false} />
  </StrictMode>,
);
