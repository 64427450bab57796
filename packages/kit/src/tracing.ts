import type { IncomingMessage } from 'node:http';
import {
  context,
  ROOT_CONTEXT,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { z } from 'zod';
import { loadConfig } from './config';

/**
 * OpenTelemetry traces. With OTEL_EXPORTER_OTLP_ENDPOINT set (e.g. Jaeger's
 * `http://jaeger:4318`), a process exports its spans over OTLP/HTTP (JSON, batched every
 * 500 ms) to `<endpoint>/v1/traces`, named OTEL_SERVICE_NAME or the service's name; unset,
 * nothing is recorded and every helper here costs next to nothing. The trace context travels
 * in W3C `traceparent` headers: HTTP between the gateway and the subgraphs, Kafka record
 * headers (stored with the event in the outbox), RabbitMQ message headers (jobs, notices).
 */
const tracingEnv = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
});

let provider: { shutdown(): Promise<void>; forceFlush(): Promise<void> } | undefined;

/**
 * Starts exporting this process's spans when OTEL_EXPORTER_OTLP_ENDPOINT is set; call once,
 * first thing. Returns a stop that flushes what is still buffered (register it on shutdown).
 */
export async function initTracing(service: string, env: NodeJS.ProcessEnv = process.env): Promise<() => Promise<void>> {
  const config = loadConfig(tracingEnv, env);
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT || provider) return async () => undefined;
  // Loaded only when tracing is on.
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
    ]);
  const exporter = new OTLPTraceExporter({
    url: `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces`,
  });
  const nodeProvider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.OTEL_SERVICE_NAME ?? service }),
    spanProcessors: [new BatchSpanProcessor(exporter as never, { scheduledDelayMillis: 500 })],
  });
  // The global provider, AsyncLocalStorage context and the W3C trace-context propagator.
  nodeProvider.register();
  provider = nodeProvider;
  return async () => {
    await nodeProvider.forceFlush().catch(() => undefined);
    await nodeProvider.shutdown().catch(() => undefined);
  };
}

export const tracer = () => trace.getTracer('agora');

/** The trace and span ids of the active span, for log lines (none when not tracing). */
export function activeTraceIds(): { traceId: string; spanId: string } | undefined {
  const span = trace.getActiveSpan();
  const ids = span?.spanContext();
  if (!ids || !span?.isRecording()) return undefined;
  return { traceId: ids.traceId, spanId: ids.spanId };
}

/** The active trace context as headers (`traceparent`, `tracestate`), to send along. */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/**
 * The trace context carried by headers (HTTP, Kafka, AMQP) on top of `base` (default: the
 * active context; background work such as a relay or a consumer passes ROOT_CONTEXT).
 */
export function contextFrom(headers: Record<string, unknown> | undefined, base: Context = context.active()): Context {
  const carrier: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null) continue;
    carrier[key.toLowerCase()] = Buffer.isBuffer(value) ? value.toString() : String(value);
  }
  return propagation.extract(base, carrier);
}

/**
 * Runs `work` in a new span, child of `parent` (default: the active context), ending it when
 * `work` settles; a thrown error marks the span failed and is rethrown.
 */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
    options.parent ?? context.active(),
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** The server span of an HTTP request, child of the caller's `traceparent` when it sent one. */
export function serverSpanContext(req: IncomingMessage, path: string): { span: Span; ctx: Context } {
  const parent = contextFrom(req.headers as Record<string, unknown>);
  const span = tracer().startSpan(
    `${req.method ?? 'GET'} ${path}`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method ?? 'GET', 'url.path': path } },
    parent,
  );
  return { span, ctx: trace.setSpan(parent, span) };
}

export { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace };
