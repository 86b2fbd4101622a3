import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapInvokeResponse } from '../../src/invoke/http-response.js';

test('2xx success: JSON, empty, non-JSON', () => {
  assert.deepEqual(mapInvokeResponse(200, {}, '{"batchItemFailures":[]}', 5), { kind: 'success', payload: { batchItemFailures: [] }, durationMs: 5 });
  assert.deepEqual(mapInvokeResponse(200, {}, '', 1), { kind: 'success', payload: null, durationMs: 1 });
  assert.deepEqual(mapInvokeResponse(200, {}, 'null', 1), { kind: 'success', payload: null, durationMs: 1 });
  assert.deepEqual(mapInvokeResponse(200, {}, '"s"', 1), { kind: 'success', payload: 's', durationMs: 1 });
  assert.deepEqual(mapInvokeResponse(200, {}, '<html>', 1), { kind: 'success', payload: '<html>', durationMs: 1 });
});

test('function error payloads', () => {
  assert.deepEqual(
    mapInvokeResponse(200, { 'x-amz-function-error': 'Unhandled' }, '{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: x Error: Task timed out after 3.00 seconds"}', 2),
    { kind: 'function-error', errorType: 'Sandbox.Timedout', errorMessage: 'RequestId: x Error: Task timed out after 3.00 seconds', statusCode: 200, throttled: false, durationMs: 2 },
  );
  const noType = mapInvokeResponse(200, { 'x-amz-function-error': ['Handled'] }, '{"errorMessage":"m"}', 2);
  assert.deepEqual(noType.kind === 'function-error' && [noType.errorType, noType.errorMessage], ['Handled', 'm']);
});

test('service errors', () => {
  const t = mapInvokeResponse(429, { 'x-amzn-errortype': 'TooManyRequestsException' }, '{"Type":"User","message":"Rate Exceeded.","Reason":"ReservedFunctionConcurrentInvocationLimitExceeded"}', 3);
  assert.deepEqual(t, { kind: 'function-error', errorType: 'TooManyRequestsException', errorMessage: 'Rate Exceeded.', statusCode: 429, throttled: true, durationMs: 3 });
  const u = mapInvokeResponse(503, {}, '', 3);
  assert.deepEqual(u.kind === 'function-error' && [u.errorType, u.errorMessage, u.throttled], ['HTTP 503', 'HTTP 503', true]);
  const s = mapInvokeResponse(502, {}, '{"__type":"aws#EC2UnexpectedException","Message":"boom"}', 3);
  assert.deepEqual(s.kind === 'function-error' && [s.errorType, s.errorMessage, s.throttled, s.statusCode], ['EC2UnexpectedException', 'boom', false, 502]);
});
