import { GraphQLError } from 'graphql';

/** The error codes of Agora's API contract (DESIGN.md): the one list (the web's sentences are tested against it). */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export function apiError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export const badInput = (message: string, field?: string) =>
  apiError('BAD_USER_INPUT', message, field ? { field } : {});
export const notFound = (message: string) => apiError('NOT_FOUND', message);
export const conflict = (message: string, field?: string) => apiError('CONFLICT', message, field ? { field } : {});
export const forbidden = (message = 'You are not allowed to do this') => apiError('FORBIDDEN', message);
export const unauthenticated = (message = 'You must be signed in') => apiError('UNAUTHENTICATED', message);
