/** Smoke test of in-process kinesalite with the SDK v3 Kinesis client over HTTP/1.1 (no sluice source code). */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { startKinesalite } from '../support/kinesalite.js';
import { awsClientConfig } from '../../src/sources/aws-clients.js';
import { kinesisRoundTrip } from '../sources/kinesis/helpers.js';

test('kinesalite: create stream, put records, list shards, read them back', async () => {
  const server = await startKinesalite();
  after(() => server.close());
  assert.match(server.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  const kinesis = new KinesisClient(awsClientConfig(server.aws, 'kinesis'));
  after(() => kinesis.destroy());
  await kinesisRoundTrip(kinesis, server.streamArn);
});
