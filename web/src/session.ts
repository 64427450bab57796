import { stringifyDocument } from '@urql/core';
import type { DocumentNode } from 'graphql';
import { useSyncExternalStore } from 'react';
import { graphql } from './__generated__';
import type { AuthPayloadFieldsFragment } from './__generated__/graphql';

/**
 * The signed-in session, shared by every tab of the app.
 *
 * The refresh token is kept in localStorage (a reload or a new tab trades it for a new
 * pair); the access token lives in memory. Every refresh token works once, so refreshes
 * are serialised across tabs with a Web Lock: under the lock a tab re-reads the stored
 * token, and a tab that was handed a fresh access token meanwhile (BroadcastChannel) does
 * not refresh at all. What the lock cannot cover — a reload while a refresh is in flight,
 * whose answer the old page never stores — the server covers: the same token presented
 * again within a few seconds gets the same pair.
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
const LOCK = 'agora.refresh';
/** An access token this close to its expiry is refreshed before use. */
const EXPIRY_MARGIN_MS = 30_000;

type Message =
  | { type: 'signed-in'; accessToken: string; expiresAt: number; user: SessionUser }
  | { type: 'signed-out' }
  | { type: 'user'; user: SessionUser };

let accessToken: string | null = null;
let expiresAt = 0;
let user: SessionUser | null = null;
let session: Session = { user: null, roles: [] };
const listeners = new Set<() => void>();
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('agora.session') : null;

function notify() {
  const roles = user && accessToken ? rolesOf(accessToken) : [];
  if (session.user !== user || session.roles.join() !== roles.join()) session = { user, roles };
  for (const listener of listeners) listener();
}

/** The roles claim of a JWT (read, not verified: it only decides what the UI offers). */
function rolesOf(token: string): string[] {
  try {
    const part = token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const payload = JSON.parse(atob(part)) as { roles?: unknown };
    return Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return [];
  }
}

function adopt(token: string, until: number, who: SessionUser) {
  accessToken = token;
  expiresAt = until;
  user = who;
  notify();
}

channel?.addEventListener('message', (event: MessageEvent<Message>) => {
  const message = event.data;
  if (message.type === 'signed-in') {
    const switched = user?.id !== message.user?.id;
    adopt(message.accessToken, message.expiresAt, message.user);
    if (switched) identityChanged(); // signed in (or as someone else) in another tab
  } else if (message.type === 'user' && message.user && user?.id === message.user.id) {
    user = message.user;
    notify();
  } else if (message.type === 'signed-out') clear();
});
// Without BroadcastChannel, another tab's sign-out still shows here (it removes the stored token).
window.addEventListener('storage', (event) => {
  if (event.key === REFRESH_KEY && event.newValue === null && user) clear();
});

/** Stores the pair returned by register, login or refreshSession, and hands it to the other tabs. */
export function signIn(payload: AuthPayloadFieldsFragment) {
  localStorage.setItem(REFRESH_KEY, payload.refreshToken);
  const until = Date.now() + payload.expiresIn * 1000;
  adopt(payload.accessToken, until, payload.user);
  channel?.postMessage({ type: 'signed-in', accessToken: payload.accessToken, expiresAt: until, user: payload.user });
  identityChanged();
}

function clear() {
  const had = user !== null || accessToken !== null;
  accessToken = null;
  expiresAt = 0;
  user = null;
  notify();
  if (had) identityChanged();
}

/** Signs out in every tab. */
export function signOut() {
  localStorage.removeItem(REFRESH_KEY);
  clear();
  channel?.postMessage({ type: 'signed-out' });
}

/** After a profile edit: the header shows the new display name, in every tab. */
export function updateSessionUser(next: Partial<SessionUser>) {
  if (!user) return;
  user = { ...user, ...next };
  notify();
  channel?.postMessage({ type: 'user', user });
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

// --- identity changes (the live connection re-authenticates) ---------------------------------

const identityListeners = new Set<() => void>();
function identityChanged() {
  for (const listener of identityListeners) listener();
}
/** Called after sign-in, sign-out or a switch of user; not on a mere refresh of the same session. */
export function onIdentityChange(listener: () => void): () => void {
  identityListeners.add(listener);
  return () => identityListeners.delete(listener);
}

// --- refreshing --------------------------------------------------------------------------------

/** Runs `task` holding the app's cross-tab lock (directly where Web Locks are missing: insecure origins). */
function withLock<T>(task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? (locks.request(LOCK, task) as Promise<T>) : task();
}

let refreshing: Promise<boolean> | null = null;

/**
 * Gets a new access token with the stored refresh token: true when there is a usable one
 * afterwards. `stale` is the token that was refused (or null): when another tab has already
 * handed over a different one, nothing is refreshed.
 */
export function refresh(stale: string | null = accessToken): Promise<boolean> {
  refreshing ??= withLock(async () => {
    if (accessToken && accessToken !== stale && expiresAt - Date.now() > EXPIRY_MARGIN_MS) return true;
    const refreshToken = storedRefreshToken();
    if (!refreshToken) {
      clear();
      return false;
    }
    try {
      const body = await sendDocument<{
        data?: { refreshSession?: AuthPayloadFieldsFragment };
        errors?: { extensions?: { code?: string } }[];
      }>(RefreshSessionMutation, { refreshToken }, async (payload) => {
        const response = await fetch('/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(payload),
        });
        return response.json();
      });
      if (body.data?.refreshSession) {
        signInQuietly(body.data.refreshSession);
        return true;
      }
      // Refused: the session ended (signed out elsewhere, expired, or replayed). Other errors keep it.
      if (body.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) signOut();
      return false;
    } catch {
      // Network trouble: keep the refresh token for the next attempt.
      return false;
    }
  }).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** A refresh of the same session: stored and shared, without re-authenticating the live connection. */
function signInQuietly(payload: AuthPayloadFieldsFragment) {
  const sameUser = !!payload.user && user?.id === payload.user.id;
  localStorage.setItem(REFRESH_KEY, payload.refreshToken);
  const until = Date.now() + payload.expiresIn * 1000;
  adopt(payload.accessToken, until, payload.user);
  channel?.postMessage({ type: 'signed-in', accessToken: payload.accessToken, expiresAt: until, user: payload.user });
  if (!sameUser) identityChanged();
}

// A reload or a new tab restores the session before its first request goes out.
const restoring: Promise<unknown> = storedRefreshToken() ? refresh(null) : Promise.resolve();

/** Resolves once a stored session has been restored (or refused). */
export function sessionRestored(): Promise<unknown> {
  return restoring;
}

/** The access token to send now, refreshed first when it is about to expire; null when signed out. */
export async function currentAccessToken(): Promise<string | null> {
  await restoring;
  if (accessToken && expiresAt - Date.now() < EXPIRY_MARGIN_MS) await refresh(accessToken);
  return accessToken;
}

function isUnauthenticated(body: unknown): boolean {
  const errors = (body as { errors?: { extensions?: { code?: string } }[] } | null)?.errors;
  return errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED') ?? false;
}

/**
 * urql's fetch: adds `Authorization: Bearer …`, and when a request that carried a token is
 * answered UNAUTHENTICATED (the access token expired), refreshes once and retries it.
 * The answer is read here and handed on as a new Response (not a clone: Chromium reports an
 * aborted clone's body as an unhandled rejection when urql cancels a query).
 */
export const authFetch: typeof fetch = async (input, init) => {
  const send = async (token: string | null) => {
    const headers = new Headers(init?.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    const response = await fetch(input, { ...init, headers });
    const text = await response.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: urql reports it
    }
    const copy = new Response(text, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    return { response: copy, body };
  };
  const token = await currentAccessToken();
  const first = await send(token);
  if (!token || !isUnauthenticated(first.body) || !(await refresh(token))) return first.response;
  return (await send(accessToken)).response;
};

/**
 * Sends `document` by its registered id (codegen's `__meta__.hash`, which the gateway knows
 * from the manifest and which its trusted-documents mode requires), and by its text only
 * when the gateway answers that it does not know the id (APQ's PERSISTED_QUERY_NOT_FOUND).
 */
export async function sendDocument<T>(
  document: DocumentNode,
  variables: Record<string, unknown>,
  post: (payload: Record<string, unknown>) => Promise<unknown>,
): Promise<T> {
  const id = (document as DocumentNode & { __meta__?: { hash?: string } }).__meta__?.hash;
  const operation = document.definitions.find((d) => d.kind === 'OperationDefinition');
  const operationName = operation && 'name' in operation ? operation.name?.value : undefined;
  if (id) {
    const persistedQuery = { version: 1, sha256Hash: id };
    const answer = (await post({ operationName, variables, extensions: { persistedQuery } })) as {
      errors?: { extensions?: { code?: string } }[];
    };
    if (!answer.errors?.some((e) => e.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND')) return answer as T;
  }
  return (await post({ operationName, query: stringifyDocument(document), variables })) as T;
}

/**
 * POSTs a GraphQL request with XMLHttpRequest, for the upload progress fetch cannot report.
 * Authenticated like authFetch (one refresh and retry on UNAUTHENTICATED).
 */
export async function postWithProgress<T>(
  body: string,
  onProgress: (sent: number, total: number) => void,
  signal?: AbortSignal,
): Promise<T> {
  const send = (token: string | null) =>
    new Promise<{ status: number; json: unknown }>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/graphql');
      xhr.setRequestHeader('content-type', 'application/json');
      if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
      xhr.upload.onprogress = (event) => onProgress(event.loaded, event.total);
      xhr.onload = () => {
        try {
          resolve({ status: xhr.status, json: JSON.parse(xhr.responseText) as unknown });
        } catch {
          reject(new Error(`The server answered ${xhr.status}`));
        }
      };
      xhr.onerror = () => reject(new TypeError('Network error'));
      xhr.onabort = () => reject(new DOMException('Aborted', 'AbortError'));
      signal?.addEventListener('abort', () => xhr.abort());
      xhr.send(body);
    });
  const token = await currentAccessToken();
  let result = await send(token);
  if (token && isUnauthenticated(result.json) && (await refresh(token))) result = await send(accessToken);
  return result.json as T;
}
