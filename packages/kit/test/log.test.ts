import { Writable } from 'node:stream';
import { pino } from 'pino';
import { QueryFailedError } from 'typeorm';
import { GraphQLError, parse } from 'graphql';
import { logOptions, scrub } from '../src/log';
import { startSubgraphServer } from '../src/subgraph';
import { gql } from '../src/testing';

/** A logger with the kit's settings whose lines are collected, parsed. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino(logOptions('debug'), stream), lines };
}

const email = 'ada.lovelace+test@example.com';
const hash = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG';

describe('log lines', () => {
  it("keep a database error's type, message and stack, never its parameters or the server's detail", () => {
    const { log, lines } = capture();
    const driverError = Object.assign(
      new Error('duplicate key value violates unique constraint "credentials_email_key"'),
      {
        code: '23505',
        detail: `Key (email)=(${email}) already exists.`,
      },
    );
    const error = new QueryFailedError(
      'INSERT INTO credentials (email, password_hash) VALUES ($1, $2)',
      [email, hash],
      driverError,
    );
    log.error({ err: error }, 'unexpected error');
    const text = JSON.stringify(lines);
    expect(text).not.toContain(email);
    expect(text).not.toContain('argon2');
    expect(text).not.toContain('already exists');
    expect(lines[0]!.err).toMatchObject({
      type: 'QueryFailedError',
      message: 'duplicate key value violates unique constraint "credentials_email_key"',
      code: '23505',
      stack: expect.stringContaining('QueryFailedError'),
    });
  });

  it('scrub e-mails, hashes and tokens out of messages', () => {
    const { log, lines } = capture();
    log.error({ err: new Error(`no account for ${email} with ${hash}; Bearer abc.def-ghi`) }, 'failed');
    log.info({ user: { email, password: 'hunter2-hunter2', accessToken: 'eyJhbGciOi.eyJzdWIi.sig' } }, 'fields');
    const text = JSON.stringify(lines);
    for (const secret of [email, hash, 'hunter2', 'eyJhbGciOi', 'abc.def-ghi']) expect(text).not.toContain(secret);
    expect(scrub(`mail ${email}`)).toBe('mail [email]');
  });

  it('give warnings one line without a stack; errors (the unexpected) keep theirs', () => {
    const { log, lines } = capture();
    log.warn({ err: new Error('connect ECONNREFUSED 127.0.0.1:6379') }, 'redis unreachable');
    log.error({ err: new Error('boom') }, 'unexpected error');
    expect(lines[0]!.err).toEqual({ type: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:6379' });
    expect((lines[1]!.err as { stack?: string }).stack).toContain('Error: boom');
  });

  it('hold one line per unexpected resolver error, with operation, request id and stack; none for expected ones', async () => {
    const { log, lines } = capture();
    const server = await startSubgraphServer({
      name: 'failing',
      host: '127.0.0.1',
      port: 0,
      log,
      maxBodyBytes: 100_000,
      identify: async () => null,
      typeDefs: parse('type Query { broken: String, refused: String }'),
      resolvers: {
        Query: {
          broken: () => {
            throw new Error(`connection lost while loading ${email}`);
          },
          refused: () => {
            throw new GraphQLError('No such thing', { extensions: { code: 'NOT_FOUND' } });
          },
        },
      },
      context: (base) => base,
    });
    try {
      const broken = await gql(server.graphqlUrl, 'query Broken { broken }', {}, { 'x-request-id': 'req-123' });
      expect(broken.errors).toEqual([
        {
          message: 'Internal server error',
          path: ['broken'],
          locations: expect.any(Array),
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
      ]);
      await gql(server.graphqlUrl, 'query Refused { refused }');
      const errors = lines.filter((l) => Number(l.level) >= 40);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        level: 50,
        msg: 'unexpected error',
        operation: 'Broken',
        requestId: 'req-123',
        path: ['broken'],
        err: {
          message: 'connection lost while loading [email]',
          stack: expect.stringContaining('Error: connection lost'),
        },
      });
    } finally {
      await server.close();
    }
  });
});
