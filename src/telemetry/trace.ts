// Spans of the batch lifecycle. A job lives for hours and moves between processes, so its trace cannot
// hang on an open span: each piece of work is a short span whose parent is restored from the W3C
// `traceparent` stored on the job or batch row. With no SDK registered the API hands out no-op spans,
// `traceparentOf` gives null, and nothing is stored.
import {
  context,
  createContextKey,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type TimeInput,
} from '@opentelemetry/api';
import { scrubSecrets } from '../secrets/scrub.ts';
import { SERVICE_VERSION } from '../version.ts';

export type { Span };

export const tracer = () => trace.getTracer('batchline', SERVICE_VERSION);

const TRACEPARENT = /^00-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/;

/** The W3C traceparent of a span, or null when it is not recorded (tracing off). */
export function traceparentOf(span: Span): string | null {
  const sc = span.spanContext();
  // With tracing off the API's no-op span carries its parent's context: not a span of its own to store.
  if (!span.isRecording() || !trace.isSpanContextValid(sc)) return null;
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

export function spanContextFrom(traceparent: string | null | undefined): SpanContext | undefined {
  const match = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (!match) return undefined;
  const sc: SpanContext = { traceId: match[1]!, spanId: match[2]!, traceFlags: parseInt(match[3]!, 16) & TraceFlags.SAMPLED, isRemote: true };
  return trace.isSpanContextValid(sc) ? sc : undefined;
}

/** A context whose parent is the stored span; the root context when nothing was stored. */
export function contextFrom(traceparent: string | null | undefined): Context {
  const sc = spanContextFrom(traceparent);
  return sc ? trace.setSpanContext(ROOT_CONTEXT, sc) : ROOT_CONTEXT;
}

export function linkTo(traceparent: string | null | undefined, attributes?: Attributes): Link[] {
  const sc = spanContextFrom(traceparent);
  return sc ? [{ context: sc, ...(attributes ? { attributes } : {}) }] : [];
}

export interface SpanOptions {
  /** Stored traceparent of the parent (job or batch); the active context when undefined. */
  parent?: string | null;
  /** A new trace, whatever the active context (which is then linked). */
  root?: boolean;
  links?: Link[];
  attributes?: Attributes;
  kind?: SpanKind;
  /** Back-dates the span: work that was done before it was known to deserve one. */
  startTime?: TimeInput;
}

/**
 * Runs `fn` inside a new active span. A thrown error is recorded on the span (status ERROR) and
 * rethrown; the span always ends.
 */
export async function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  const parent = options.root ? ROOT_CONTEXT : options.parent === undefined ? context.active() : contextFrom(options.parent);
  const links = [...(options.links ?? []), ...(options.root ? activeLink() : [])];
  const span = tracer().startSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      ...(options.attributes ? { attributes: options.attributes } : {}),
      ...(links.length > 0 ? { links } : {}),
      ...(options.startTime !== undefined ? { startTime: options.startTime } : {}),
    },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (error) {
    recordError(span, error);
    throw error;
  } finally {
    span.end();
  }
}

// The key @opentelemetry/core's suppressTracing sets (createContextKey is Symbol.for, so this is the same
// key): the SDK's tracer then hands out non-recording spans and propagators inject nothing.
const SUPPRESS_TRACING = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/**
 * Runs `fn` with tracing suppressed: no span of ours, of the provider SDK or of the HTTP and pg
 * instrumentations is recorded inside it. For work whose span is decided only after it has run (a
 * poll that changed nothing leaves no trace); the caller then records a back-dated span itself.
 */
export function untraced<T>(fn: () => Promise<T>): Promise<T> {
  return context.with(context.active().setValue(SUPPRESS_TRACING, true), fn);
}

/** A link to the active span (the request that asked for the work), if there is one. */
export function activeLink(): Link[] {
  const sc = trace.getSpanContext(context.active());
  return sc && trace.isSpanContextValid(sc) ? [{ context: sc, attributes: { 'batchline.link': 'request' } }] : [];
}

/**
 * Marks a span failed. Accepts an Error or an `{ type, message }` (ErrorInfo); the message is scrubbed
 * of URL credentials and query strings, which plugin and fetch errors may quote.
 */
export function recordError(span: Span, error: unknown): void {
  const info = typeof error === 'object' && error !== null && !(error instanceof Error) && 'message' in error ? (error as { type?: unknown; message: unknown }) : undefined;
  const message = scrubSecrets(info ? String(info.message) : error instanceof Error ? error.message : String(error));
  const name = info && typeof info.type === 'string' ? info.type : error instanceof Error ? error.name : 'Error';
  span.recordException({ name, message });
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}


/** Ids of the active span, for log lines. */
export function activeIds(): { trace_id: string; span_id: string } | undefined {
  const span = trace.getActiveSpan();
  const sc = span?.spanContext();
  if (!sc || !trace.isSpanContextValid(sc)) return undefined;
  return { trace_id: sc.traceId, span_id: sc.spanId };
}

/** GenAI semantic-convention attributes of a Message Batches call. */
export function genAiAttributes(model: string, usage?: { input_tokens: number; output_tokens: number }): Attributes {
  return {
    'gen_ai.system': 'anthropic',
    'gen_ai.provider.name': 'anthropic',
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': model,
    ...(usage ? { 'gen_ai.usage.input_tokens': usage.input_tokens, 'gen_ai.usage.output_tokens': usage.output_tokens } : {}),
  };
}

export { SpanKind };
