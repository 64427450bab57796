import type { CombinedError } from 'urql';

/** An API error as the server gave it: its `extensions.code` and message, next to what caused it. */
export function ApiError({ error }: { error?: CombinedError }) {
  if (!error) return null;
  return (
    <div role="alert" className="error">
      {error.networkError && <p>Network error: {error.networkError.message}</p>}
      {error.graphQLErrors.map((e, i) => (
        <p key={i}>
          <code>{String(e.extensions?.code ?? 'ERROR')}</code> {e.message}
        </p>
      ))}
    </div>
  );
}
