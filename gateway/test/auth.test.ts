import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import { unauthenticated } from '@agora/kit/errors';
import { identifyOr401 } from '@agora/kit/auth';
import { forwardedFor } from '../src/auth';

const request = (peer: string, xff?: string | string[]) =>
  ({
    socket: { remoteAddress: peer },
    headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
  }) as IncomingMessage;

describe('forwardedFor', () => {
  it('replaces whatever the client claims with its socket address', () => {
    expect(forwardedFor(request('198.51.100.7', '10.0.0.1'), false)).toBe('198.51.100.7');
    expect(forwardedFor(request('198.51.100.7'), false)).toBe('198.51.100.7');
  });

  it('behind a trusted proxy, keeps the chain and appends the peer', () => {
    expect(forwardedFor(request('10.0.0.2', '203.0.113.9'), true)).toBe('203.0.113.9, 10.0.0.2');
    expect(forwardedFor(request('10.0.0.2', ['203.0.113.9', '10.0.0.5']), true)).toBe(
      '203.0.113.9, 10.0.0.5, 10.0.0.2',
    );
    expect(forwardedFor(request('10.0.0.2'), true)).toBe('10.0.0.2');
  });
});

describe('identifyOr401 (the gateway and every subgraph check tokens with it)', () => {
  it('passes the verified viewer, or null without a token', async () => {
    const viewer = { id: 'u1', roles: ['user' as const] };
    expect(await identifyOr401(async (auth) => (auth ? viewer : null), 'Bearer x')).toBe(viewer);
    expect(await identifyOr401(async () => null, undefined)).toBeNull();
  });

  it('turns a refused token into UNAUTHENTICATED with HTTP 401', async () => {
    const error = await identifyOr401(async () => {
      throw unauthenticated('Invalid or expired access token');
    }, 'Bearer x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).message).toBe('Invalid or expired access token');
    expect((error as GraphQLError).extensions).toMatchObject({ code: 'UNAUTHENTICATED', http: { status: 401 } });
    const headers = (error as GraphQLError).extensions.http as { headers: Map<string, string> };
    expect(headers.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('lets other failures through as they are', async () => {
    const boom = new Error('jwks unreachable');
    await expect(identifyOr401(async () => Promise.reject(boom), 'Bearer x')).rejects.toBe(boom);
  });
});
