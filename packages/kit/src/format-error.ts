import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from './log';
import { isTokenLimitError } from './operation-limits';

/**
 * Errors that carry an API code are the caller's to see; anything else is a bug or an
 * outage, answered with a generic message so internals never leak. The unexpected ones are
 * logged once, with the operation and request id, by graphqlMetricsPlugin (metrics.ts).
 */
export function formatError(_log?: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    if (formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED' && isTokenLimitError(formatted.message)) {
      return { ...formatted, extensions: { ...formatted.extensions, limit: 'tokens' } };
    }
    if (unwrapResolverError(error) instanceof GraphQLError || formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR') {
      return formatted;
    }
    return { ...formatted, message: 'Internal server error' };
  };
}

/**
 * An error thrown by our code without an API code (not a GraphQLError): a bug or an outage.
 * A subgraph's error passed on by the gateway (`serviceName`) was that subgraph's to log.
 */
export function isUnexpected(error: unknown): boolean {
  if (unwrapResolverError(error) instanceof GraphQLError) return false;
  const extensions = (error as { extensions?: Record<string, unknown> }).extensions ?? {};
  if (extensions.serviceName !== undefined) return false;
  return extensions.code === undefined || extensions.code === 'INTERNAL_SERVER_ERROR';
}
