import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateCreate, validateMappingInput, validateUpdate, type ValidationContext } from '../../src/control/validate-mapping.js';
import { toApiResponse } from '../../src/control/api-response.js';
import { ApiError } from '../../src/core/errors.js';
import type { MappingSpec } from '../../src/core/mapping.js';

const NOW = 1_700_000_000_000;
let seq = 0;
const ctx = (existing: MappingSpec[] = []): ValidationContext => ({
  hasFunction: (n) => n === 'fn' || n === 'other',
  region: 'eu-west-1',
  accountId: '111122223333',
  existing,
  now: () => NOW,
  newUuid: () => `00000000-0000-0000-0000-${String(++seq).padStart(12, '0')}`,
});
const Q = 'arn:aws:sqs:eu-west-1:111122223333:q';
const S = 'arn:aws:kinesis:eu-west-1:111122223333:stream/s';

test('effective defaults per source kind, frozen spec, LastModified from the clock', () => {
  const sqs = validateCreate({ FunctionName: 'fn', EventSourceArn: Q }, ctx());
  assert.equal(sqs.BatchSize, 10);
  assert.equal(sqs.MaximumBatchingWindowInSeconds, 0);
  assert.equal(sqs.batchingWindowMs, 0);
  assert.equal(sqs.ParallelizationFactor, undefined);
  assert.equal(sqs.MaximumRetryAttempts, undefined);
  assert.equal(sqs.Enabled, true);
  assert.equal(sqs.LastModified, NOW / 1000);
  assert.equal(sqs.FunctionArn, 'arn:aws:lambda:eu-west-1:111122223333:function:fn');
  assert.ok(Object.isFrozen(sqs) && Object.isFrozen(sqs.FunctionResponseTypes));
  const fifo = validateCreate({ FunctionName: 'fn', EventSourceArn: `${Q}.fifo` }, ctx());
  assert.equal(fifo.fifo, true);
  const big = validateCreate({ FunctionName: 'fn', EventSourceArn: Q, BatchSize: 10000, MaximumBatchingWindowInSeconds: 300 }, ctx());
  assert.equal(big.batchingWindowMs, 300_000);
  const kin = validateCreate({ FunctionName: 'fn:live', EventSourceArn: S, StartingPosition: 'LATEST' }, ctx());
  assert.deepEqual(
    [kin.BatchSize, kin.ParallelizationFactor, kin.MaximumRecordAgeInSeconds, kin.MaximumRetryAttempts, kin.BisectBatchOnFunctionError, kin.TumblingWindowInSeconds],
    [100, 1, -1, -1, false, 0],
  );
  assert.equal(kin.FunctionArn, 'arn:aws:lambda:eu-west-1:111122223333:function:fn:live');
  assert.equal(kin.FunctionName, 'fn');
  const kafka = validateCreate(
    { FunctionName: 'fn', SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['b:9092'] } }, Topics: ['tt'], StartingPosition: 'TRIM_HORIZON' },
    ctx(),
  );
  assert.equal(kafka.sourceKind, 'kafka');
  assert.equal(kafka.MaximumBatchingWindowInSeconds, undefined);
  assert.equal(kafka.batchingWindowMs, 500);
  assert.equal(kafka.MaximumRetryAttempts, -1);
  assert.equal(kafka.ParallelizationFactor, undefined);
  const atTs = validateCreate({ FunctionName: 'fn', EventSourceArn: S, StartingPosition: 'AT_TIMESTAMP', StartingPositionTimestamp: NOW / 1000 }, ctx());
  assert.equal(atTs.StartingPositionTimestamp, NOW / 1000);
  assert.throws(() => validateCreate({ FunctionName: 'fn', EventSourceArn: S, StartingPosition: 'AT_TIMESTAMP', StartingPositionTimestamp: NOW / 1000 + 1 }, ctx()), /in the future/);
  const iso = validateCreate({ FunctionName: 'fn', EventSourceArn: S, StartingPosition: 'AT_TIMESTAMP', StartingPositionTimestamp: '2023-01-01T00:00:00Z' }, ctx());
  assert.equal(iso.StartingPositionTimestamp, Date.parse('2023-01-01T00:00:00Z') / 1000);
});

test('validateMappingInput keeps a given UUID and marks the spec config-managed; the API ignores a UUID in the body', () => {
  const m = validateMappingInput({ UUID: 'abc-fixed', FunctionName: 'fn', EventSourceArn: Q }, ctx());
  assert.equal(m.UUID, 'abc-fixed');
  assert.equal(m.configManaged, true);
  const api = validateCreate({ UUID: 'abc-fixed', FunctionName: 'fn', EventSourceArn: Q }, ctx());
  assert.notEqual(api.UUID, 'abc-fixed');
  assert.equal(api.configManaged, false);
});

test('validateUpdate keeps UUID, source and position; ignores members Update does not take; re-checks duplicates on a function change', () => {
  const base = validateCreate({ FunctionName: 'fn', EventSourceArn: S, StartingPosition: 'TRIM_HORIZON' }, ctx());
  const up = validateUpdate(base, { BatchSize: 5, EventSourceArn: 'arn:aws:kinesis:eu-west-1:111122223333:stream/other', StartingPosition: 'LATEST' }, ctx([base]));
  assert.equal(up.UUID, base.UUID);
  assert.equal(up.EventSourceArn, S);
  assert.equal(up.StartingPosition, 'TRIM_HORIZON');
  assert.equal(up.BatchSize, 5);
  assert.equal(up.ParallelizationFactor, 1);
  const other = validateCreate({ FunctionName: 'other', EventSourceArn: S, StartingPosition: 'LATEST' }, ctx([base]));
  assert.throws(
    () => validateUpdate(other, { FunctionName: 'fn' }, ctx([base, other])),
    (e: unknown) => e instanceof ApiError && e.type === 'ResourceConflictException' && e.status === 409 && e.message.endsWith(`UUID ${base.UUID}`),
  );
});

test('toApiResponse echoes per source as AWS does', () => {
  const sqs = validateCreate({ FunctionName: 'fn', EventSourceArn: Q, ScalingConfig: { MaximumConcurrency: 5 } }, ctx());
  const body = toApiResponse({ spec: sqs, state: 'Enabled', stateTransitionReason: 'USER_INITIATED', lastProcessingResult: 'OK' });
  assert.equal('LastProcessingResult' in body, false);
  assert.equal('DestinationConfig' in body, false);
  assert.deepEqual(body.ScalingConfig, { MaximumConcurrency: 5 });
  assert.equal(body.LastModified, NOW / 1000);
  assert.equal(body.EventSourceMappingArn, `arn:aws:lambda:eu-west-1:111122223333:event-source-mapping:${sqs.UUID}`);
  const kin = validateCreate({ FunctionName: 'fn', EventSourceArn: S, StartingPosition: 'LATEST' }, ctx());
  const kb = toApiResponse({ spec: kin, state: 'Enabled', stateTransitionReason: 'User action', lastProcessingResult: 'OK' });
  assert.equal(kb.LastProcessingResult, 'OK');
  assert.deepEqual(kb.DestinationConfig, { OnFailure: {} });
  assert.equal(kb.ConfigManaged, undefined);
});

test('createValidationContext accepts a Map, a FunctionSpec list or names, and applies the duplicate rule across given entries', async () => {
  const { createValidationContext } = await import('../../src/control/validation-context.js');
  const { handlerFunction } = await import('./harness.js');
  const fromList = createValidationContext({ functions: [handlerFunction('fn')], region: 'eu-west-1', accountId: '111122223333' });
  const fromMap = createValidationContext({ functions: new Map([['fn', handlerFunction('fn')]]), region: 'eu-west-1', accountId: '111122223333' });
  const fromNames = createValidationContext({ functions: ['fn'], region: 'eu-west-1', accountId: '111122223333' });
  for (const c of [fromList, fromMap, fromNames]) {
    assert.equal(c.hasFunction('fn'), true);
    assert.equal(c.hasFunction('nope'), false);
  }
  const first = validateMappingInput({ FunctionName: 'fn', EventSourceArn: Q }, fromList);
  assert.throws(
    () => validateMappingInput({ FunctionName: 'fn', EventSourceArn: Q }, createValidationContext({ functions: ['fn'], region: 'eu-west-1', accountId: '111122223333', existing: [first] })),
    (e: unknown) => e instanceof ApiError && e.type === 'ResourceConflictException',
  );
});
