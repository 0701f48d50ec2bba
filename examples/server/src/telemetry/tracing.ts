/**
 * @module telemetry/tracing
 * The server's OpenTelemetry tracer. Spans are exported over OTLP/HTTP only when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set; without it the
 * server creates no provider and tracing costs nothing. Tests hand in an exporter (the SDK's
 * in-memory one). The exporter module is loaded only when used.
 */
import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

/** The name spans are reported under. */
export const INSTRUMENTATION_NAME = '@tributary/example-server';

/** A tracer and the provider behind it. */
export interface Tracing {
  readonly tracer: Tracer;
  /** Flushes spans not yet exported and stops the exporter. */
  shutdown(): Promise<void>;
}

/** Options of {@link createTracing}. */
export interface TracingOptions {
  exporter: SpanExporter;
  /** `service.name` of the spans. @default 'tributary' */
  serviceName?: string;
  /** Export each span when it ends (tests) instead of in batches. @default false */
  simple?: boolean;
}

let contextManagerSet = false;

/**
 * Spans follow async work (request → enqueue, message → handler) through the global context
 * manager. Set once per process; a host that registered its own keeps it.
 */
function ensureContextManager(): void {
  if (contextManagerSet) return;
  contextManagerSet = true;
  const manager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(manager)) manager.disable();
}

/** A tracer exporting to `exporter`. Not registered globally: the server passes it where spans are made. */
export function createTracing(options: TracingOptions): Tracing {
  ensureContextManager();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'tributary' }),
    spanProcessors: [options.simple ? new SimpleSpanProcessor(options.exporter) : new BatchSpanProcessor(options.exporter)],
  });
  return {
    tracer: provider.getTracer(INSTRUMENTATION_NAME),
    shutdown: () => provider.shutdown(),
  };
}

/** The environment variables tracing reads. */
export interface TracingEnv {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined;
  OTEL_SERVICE_NAME?: string | undefined;
}

/**
 * Tracing per the configuration: OTLP/HTTP to `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or
 * `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`, when one is set (the exporter reads the other standard
 * `OTEL_EXPORTER_OTLP_*` variables itself: headers, timeout…); else none.
 */
export async function tracingFromEnv(env: TracingEnv): Promise<Tracing | undefined> {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  const url = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? `${env.OTEL_EXPORTER_OTLP_ENDPOINT!.replace(/\/+$/, '')}/v1/traces`;
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  return createTracing({ exporter: new OTLPTraceExporter({ url }), serviceName: env.OTEL_SERVICE_NAME || 'tributary' });
}

