import { print } from 'graphql';
import { useSyncExternalStore } from 'react';
import { graphql } from './__generated__';
import type { AuthPayloadFieldsFragment } from './__generated__/graphql';

/**
 * The signed-in session. The access token lives only in memory (gone on reload); the
 * refresh token is kept in localStorage so a reload can trade it for a new pair.
 */
export type SessionUser = AuthPayloadFieldsFragment['user'];

/** Who is signed in, and their roles (from the access token's `roles` claim). */
export interface Session {
  user: SessionUser | null;
  roles: string[];
}

export const AuthPayloadFields = graphql(`
  fragment AuthPayloadFields on AuthPayload {
    accessToken
    refreshToken
    expiresIn
    user {
      id
      handle
      displayName
    }
  }
`);

const RefreshSessionMutation = graphql(`
  mutation RefreshSession($refreshToken: String!) {
    refreshSession(refreshToken: $refreshToken) {
      ...AuthPayloadFields
    }
  }
`);

const REFRESH_KEY = 'agora.refreshToken';

let accessToken: string | null = null;
let user: SessionUser | null = null;
let session: Session = { user: null, roles: [] };
const listeners = new Set<() => void>();

function notify() {
  session = { user, roles: user && accessToken ? rolesOf(accessToken) : [] };
  for (const listener of listeners) listener();
}

/** The roles claim of a JWT (read, not verified: it only decides what the UI offers). */
function rolesOf(token: string): string[] {
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { roles?: unknown };
    return Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return [];
  }
}

/** Stores the pair returned by register, login or refreshSession. */
export function signIn(payload: AuthPayloadFieldsFragment) {
  accessToken = payload.accessToken;
  user = payload.user;
  localStorage.setItem(REFRESH_KEY, payload.refreshToken);
  notify();
}

export function signOut() {
  accessToken = null;
  user = null;
  localStorage.removeItem(REFRESH_KEY);
  notify();
}

export function storedRefreshToken(): string | null {
  return localStorage.getItem(REFRESH_KEY);
}

export function useSession(): Session {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => session,
  );
}

export function useSessionUser(): SessionUser | null {
  return useSession().user;
}

// Every refresh token works once (a replay ends the session), so concurrent callers share one refresh.
let refreshing: Promise<boolean> | null = null;

/** Trades the stored refresh token for a new pair; false (and signed out) when it is refused. */
function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    const refreshToken = storedRefreshToken();
    if (!refreshToken) return false;
    accessToken = null;
    try {
      const response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: print(RefreshSessionMutation), variables: { refreshToken } }),
      });
      const body = (await response.json()) as { data?: { refreshSession?: AuthPayloadFieldsFragment } };
      if (!body.data?.refreshSession) {
        signOut();
        return false;
      }
      signIn(body.data.refreshSession);
      return true;
    } catch {
      // Network trouble: keep the refresh token for the next attempt.
      return false;
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

// A reload restores the session before the first request goes out.
let restoring: Promise<unknown> = storedRefreshToken() ? refresh() : Promise.resolve();

function isUnauthenticated(body: unknown): boolean {
  const errors = (body as { errors?: { extensions?: { code?: string } }[] } | null)?.errors;
  return errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED') ?? false;
}

/**
 * urql's fetch: adds `Authorization: Bearer …`, and when a request that carried a token is
 * answered UNAUTHENTICATED (the access token expired), refreshes once and retries it.
 */
export const authFetch: typeof fetch = async (input, init) => {
  await restoring;
  restoring = Promise.resolve();
  const send = () => {
    const headers = new Headers(init?.headers);
    if (accessToken) headers.set('authorization', `Bearer ${accessToken}`);
    return { sentToken: accessToken !== null, response: fetch(input, { ...init, headers }) };
  };
  const first = send();
  const response = await first.response;
  if (!first.sentToken) return response;
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => null);
  if (!isUnauthenticated(body) || !(await refresh())) return response;
  return send().response;
};
