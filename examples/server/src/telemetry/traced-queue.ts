/**
 * @module telemetry/traced-queue
 * Traces across stages, from the queue port alone: a consumer span around every message a stage
 * handles, continuing the trace of the message's `traceparent` header, and — while a span is active
 * (a request, or a stage handling a message) — the `traceparent` of messages published from it
 * names that span, so each stage's span is the child of the one that queued its message.
 */
import { SpanKind, SpanStatusCode, type Attributes, type Link, type SpanContext, type Tracer } from '@opentelemetry/api';
import type { StageName } from '@tributary/core/events';
import type { MessageHandler, PublishOptions, QueueAdapter } from '@tributary/core/queue';
import { activeTraceparent, contextFromTraceparent, parseTraceparent } from './traceparent.js';

const STAGE_NAMES: readonly StageName[] = ['fetch', 'parse', 'analyze', 'report', 'deliver'];

/** `tributary.parse` → `parse` (topics are `<prefix>.<stage>`). */
export function stageOfTopic(topic: string): StageName | undefined {
  const last = topic.slice(topic.lastIndexOf('.') + 1);
  return (STAGE_NAMES as readonly string[]).includes(last) ? (last as StageName) : undefined;
}

/** What a stage payload says about where it belongs; never its contents. */
function payloadAttributes(payload: unknown): Attributes {
  if (typeof payload !== 'object' || payload === null) return {};
  const p = payload as Record<string, unknown>;
  const out: Attributes = {};
  if (typeof p.workspaceId === 'string') out['tributary.workspace_id'] = p.workspaceId;
  if (typeof p.sourceId === 'string') out['tributary.source_id'] = p.sourceId;
  if (typeof p.runId === 'string') out['tributary.run_id'] = p.runId;
  if (typeof p.destinationId === 'string') out['tributary.destination_id'] = p.destinationId;
  if (Array.isArray(p.items)) out['tributary.items'] = p.items.length;
  return out;
}

/** Span links to the other requests whose items were merged into a parse job (its `traceLinks`). */
function linksOf(payload: unknown): Link[] {
  const traces = (payload as { traceLinks?: unknown } | null)?.traceLinks;
  if (!Array.isArray(traces)) return [];
  return traces.map((t) => parseTraceparent(typeof t === 'string' ? t : undefined)).filter((c): c is SpanContext => c !== undefined).map((context) => ({ context }));
}

const withTraceparent = (options: PublishOptions | undefined): PublishOptions | undefined => {
  const traceparent = activeTraceparent();
  return traceparent ? { ...options, headers: { ...options?.headers, traceparent } } : options;
};

/** Wraps a queue so stage messages are traced; every other method is the queue's own. */
export function traceQueue(queue: QueueAdapter, tracer: Tracer): QueueAdapter {
  const overrides: Partial<QueueAdapter> = {
    publish: (topic, payload, options) => queue.publish(topic, payload, withTraceparent(options)),
    consume<T>(topic: string, handler: MessageHandler<T>, options: Parameters<QueueAdapter['consume']>[2]) {
      const stage = stageOfTopic(topic) ?? topic;
      const traced: MessageHandler<T> = (message, handlerContext) => {
        const attributes: Attributes = {
          'messaging.system': queue.name,
          'messaging.operation.type': 'process',
          'messaging.destination.name': topic,
          'messaging.consumer.group.name': options.group,
          'messaging.message.id': message.id,
          'tributary.stage': stage,
          'tributary.attempt': message.attempt,
          ...payloadAttributes(message.payload),
        };
        const parent = contextFromTraceparent(message.headers.traceparent);
        const links = linksOf(message.payload);
        return tracer.startActiveSpan(`${stage} process`, { kind: SpanKind.CONSUMER, attributes, ...(links.length > 0 ? { links } : {}) }, parent, async (span) => {
          try {
            const result = await handler(message, handlerContext);
            const action = result?.action ?? 'ack';
            span.setAttribute('tributary.outcome', action);
            if (action !== 'ack') span.setStatus({ code: SpanStatusCode.ERROR, message: (result as { reason?: string }).reason ?? action });
            return result;
          } catch (error) {
            const e = error instanceof Error ? error : new Error(String(error));
            span.recordException(e);
            span.setAttribute('tributary.outcome', 'error');
            span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
            throw error;
          } finally {
            span.end();
          }
        });
      };
      return queue.consume(topic, traced, options);
    },
  };
  if (queue.publishBatch) {
    overrides.publishBatch = (topic, messages) => queue.publishBatch!(topic, messages.map((m) => ({ payload: m.payload, options: withTraceparent(m.options) })));
  }
  return new Proxy(queue, {
    get(target, property) {
      if (typeof property === 'string' && property in overrides) return overrides[property as keyof QueueAdapter];
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

