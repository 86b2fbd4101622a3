/** Smoke test of kinesis-local (child process) with the SDK v3 Kinesis client over HTTP/1.1 (no sluice source code). */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { startKinesisLocal } from '../support/kinesis-local.js';
import { awsClientConfig } from '../../src/sources/aws-clients.js';
import { kinesisRoundTrip } from '../sources/kinesis/helpers.js';

test('kinesis-local: create stream, put records, list shards (by StreamARN too), read them back', async () => {
  const server = await startKinesisLocal();
  after(() => server.close());
  const kinesis = new KinesisClient(awsClientConfig(server.aws, 'kinesis'));
  after(() => kinesis.destroy());
  const name = await kinesisRoundTrip(kinesis, server.streamArn);
  const byArn = await kinesis.send(new ListShardsCommand({ StreamARN: server.streamArn(name) }));
  assert.equal(byArn.Shards?.length, 2);
});
