import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultBackoffMs, expiredPrefixLength, isRecordExpired, retriesExhausted } from '../../src/failure/retry-policy.js';

describe('retry policy', () => {
  test('default backoff doubles from 1 s and caps at 60 s', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 100, 10_000].map(defaultBackoffMs), [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000, 60000]);
    assert.equal(defaultBackoffMs(0), 1000);
  });
  test('MaximumRetryAttempts counts retries after the first invoke; -1 is infinite', () => {
    assert.equal(retriesExhausted(0, 0), false);
    assert.equal(retriesExhausted(1, 0), true);
    assert.equal(retriesExhausted(2, 2), false);
    assert.equal(retriesExhausted(3, 2), true);
    assert.equal(retriesExhausted(1_000_000, -1), false);
    assert.equal(retriesExhausted(10_001, 10_000), true);
  });
  test('record age: strictly older than MaximumRecordAgeInSeconds; -1 never', () => {
    assert.equal(isRecordExpired(0, 60_000, 60), false);
    assert.equal(isRecordExpired(0, 60_001, 60), true);
    assert.equal(isRecordExpired(0, 10 ** 12, -1), false);
    assert.equal(isRecordExpired(0, 604_800_001, 604_800), true);
  });
  test('expired prefix reaches the last expired record', () => {
    const recs = [0, 10, 5, 100, 200].map((s) => ({ arrivalMs: s * 1000 }));
    assert.equal(expiredPrefixLength(recs, 0, 5, 160_000, 60), 3); // the 100 s record is exactly 60 s old: not expired
    assert.equal(expiredPrefixLength(recs, 0, 5, 165_000, 60), 4);
    assert.equal(expiredPrefixLength(recs, 1, 3, 165_000, 60), 2);
    assert.equal(expiredPrefixLength(recs, 4, 5, 165_000, 60), 0);
    assert.equal(expiredPrefixLength(recs, 0, 5, 1e9, -1), 0);
    assert.equal(expiredPrefixLength(recs, 0, 5, 1e9, 60), 5);
  });
});
