import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Client, Provider, cacheExchange, fetchExchange } from 'urql';
import { App } from './App';
import { upgradeHashAddress } from './router';
import { authFetch } from './session';
import './styles.css';

// authFetch adds the Bearer token and refreshes it once when the API answers UNAUTHENTICATED.
const client = new Client({ url: '/graphql', exchanges: [cacheExchange, fetchExchange], fetch: authFetch });

upgradeHashAddress();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Provider value={client}>
      <App />
    </Provider>
  </StrictMode>,
);
