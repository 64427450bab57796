import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from './log';
import { isTokenLimitError } from './operation-limits';

/**
 * Errors that carry an API code are the caller's to see; anything else is a bug or an
 * outage, logged in full and answered with a generic message so internals never leak.
 */
export function formatError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED' && isTokenLimitError(formatted.message)) {
      return { ...formatted, extensions: { ...formatted.extensions, limit: 'tokens' } };
    }
    if (original instanceof GraphQLError || formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR') {
      return formatted;
    }
    // Only what identifies the bug: a database error carries the query's parameters (emails, hashes).
    log.error({ err: loggable(original), path: formatted.path }, 'unexpected resolver error');
    return { ...formatted, message: 'Internal server error' };
  };
}

/** An error as it may be logged: its kind, message, code and stack, never the values it was given. */
function loggable(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const { code } = error as { code?: unknown };
  return { type: error.name, message: error.message, stack: error.stack, ...(code !== undefined && { code }) };
}
