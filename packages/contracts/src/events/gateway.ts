import { z } from 'zod';
import { defineEvent } from './define';

/**
 * `gateway.requests`: the gateway's API-call records, one per operation (an HTTP request,
 * a query or mutation over WebSocket or SSE, and each subscription's start and end), for
 * the analytics subgraph. Keyed by the call's id. Published in batches, best effort: a
 * record the gateway could not publish is counted and logged, never retried forever.
 */
export const GATEWAY_TOPICS = { requests: 'gateway.requests' } as const;

const id = z.string().min(1);
const timestamp = z.iso.datetime({ offset: true });
/** Header values and names are bounded: a client cannot make a record large. */
const short = (max: number) => z.string().max(max);

export const apiCallOutcome = z.enum(['OK', 'ERROR']);
export const apiCallPhase = z.enum(['REQUEST', 'SUBSCRIPTION_START', 'SUBSCRIPTION_END']);

export const apiCallRecorded = defineEvent({
  topic: GATEWAY_TOPICS.requests,
  type: 'api.call',
  version: '1.0',
  source: 'gateway',
  data: z.object({
    /** The record's id (also the envelope's subject). */
    id,
    /** When the operation started. */
    at: timestamp,
    /** REQUEST (one operation run once), or a subscription's start or end. */
    phase: apiCallPhase,
    /** HTTP, WS (graphql-ws) or SSE (graphql-sse). */
    transport: z.enum(['HTTP', 'WS', 'SSE']),
    /** The operation's name as sent (null: anonymous operation, or a document that did not parse). */
    operationName: short(200).nullable(),
    /** query, mutation, subscription; null when the document did not parse. */
    operationType: z.enum(['query', 'mutation', 'subscription']).nullable(),
    /** SHA-256 (hex) of the document text as sent; null without a document. */
    documentHash: z.string().length(64).nullable(),
    /** `apollographql-client-name` / `-version` headers (null when absent). */
    clientName: short(100).nullable(),
    clientVersion: short(100).nullable(),
    /** The verified caller: a user id, the API key id when the call used one, or neither (anonymous). */
    userId: id.nullable(),
    apiKeyId: id.nullable(),
    /** Milliseconds: the operation's run; a subscription end's is how long the subscription lasted. */
    durationMs: z.number().nonnegative(),
    outcome: apiCallOutcome,
    /** `extensions.code` of each error (deduplicated, at most 20). */
    errorCodes: z.array(short(64)).max(20),
    /** The subgraphs the query plan fetched from, with the time spent in each (summed per subgraph). */
    subgraphs: z.array(z.object({ name: short(64), durationMs: z.number().nonnegative(), calls: z.number().int() })),
    /** Bytes of the response body (0 for subscription records). */
    responseBytes: z.number().int().nonnegative(),
    /** The gateway's request id (x-request-id), to find the call in the logs. */
    requestId: short(128).nullable(),
  }),
});

export const GATEWAY_EVENTS = [apiCallRecorded] as const;
