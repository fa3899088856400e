import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trace } from '@opentelemetry/api';
import { telemetrySettings } from './sdk.ts';
import { scrubSecrets } from '../secrets/scrub.ts';
import { contextFrom, linkTo, spanContextFrom, traceparentOf, tracer } from './trace.ts';

test('telemetry is off unless an OTEL_* endpoint or exporter asks for it', () => {
  assert.deepEqual(telemetrySettings({}), { traces: false, metrics: false });
  assert.deepEqual(telemetrySettings({ OTEL_SERVICE_NAME: 'x' }), { traces: false, metrics: false });
  assert.deepEqual(telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), { traces: true, metrics: true });
  assert.deepEqual(telemetrySettings({ OTEL_TRACES_EXPORTER: 'console' }), { traces: true, metrics: false });
  assert.deepEqual(telemetrySettings({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://c:4318/v1/metrics' }), { traces: false, metrics: true });
  assert.deepEqual(telemetrySettings({ OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none' }), { traces: false, metrics: false });
  assert.deepEqual(telemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }), { traces: false, metrics: false });
});

test('a stored traceparent round-trips into a parent context; junk and the all-zero id give none', () => {
  const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const sc = spanContextFrom(tp);
  assert.equal(sc?.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(sc?.spanId, '00f067aa0ba902b7');
  assert.equal(sc?.isRemote, true);
  assert.equal(trace.getSpanContext(contextFrom(tp))?.spanId, '00f067aa0ba902b7');
  for (const bad of [null, undefined, '', 'garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01']) {
    assert.equal(spanContextFrom(bad), undefined, String(bad));
    assert.deepEqual(linkTo(bad), []);
  }
});

test('with tracing off spans are no-ops and nothing is stored', () => {
  const span = tracer().startSpan('x');
  assert.equal(traceparentOf(span), null);
  span.end();
});

test('error messages lose URL credentials and query strings before they reach a span', () => {
  assert.equal(
    scrubSecrets('request failed: https://user:s3cret@hooks.example/in?token=abc: refused'),
    'request failed: https://***@hooks.example/in?… refused',
  );
  assert.equal(scrubSecrets('no url here'), 'no url here');
});
