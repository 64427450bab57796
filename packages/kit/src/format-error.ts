import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from './log';

/**
 * Errors that carry an API code are the caller's to see; anything else is a bug or an
 * outage, logged in full and answered with a generic message so internals never leak.
 */
export function formatError(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof GraphQLError || formatted.extensions?.code !== 'INTERNAL_SERVER_ERROR') {
      return formatted;
    }
    log.error({ err: original, path: formatted.path }, 'unexpected resolver error');
    return { ...formatted, message: 'Internal server error' };
  };
}
