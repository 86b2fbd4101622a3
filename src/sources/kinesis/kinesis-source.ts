/**
 * The Kinesis Data Streams source: `createKinesisSource(spec)` polls every shard of the stream
 * named by `spec.EventSourceArn` with the shared shard logic (lineage, checkpoints, pacing) and
 * hands records in AWS's event shape to the pipeline.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SourceError } from '../../core/errors.js';
import type { MappingSpec } from '../../core/mapping.js';
import { awsClientConfig, parseArn } from '../aws-clients.js';
import type { Source, SourceContext } from '../source.js';
import { createShardedSource, type ShardedSourceOptions } from '../shards/sharded-source.js';
import { createKinesisApi } from './kinesis-api.js';

export interface KinesisSourceOptions extends ShardedSourceOptions {
  /** GetRecords Limit per call. Default 10 000 (AWS's maximum). */
  readonly getRecordsLimit?: number;
}

/** The stream name and region of a Kinesis stream ARN (`arn:aws:kinesis:<region>:<account>:stream/<name>`). */
export function parseKinesisStreamArn(arn: string): { region: string; accountId: string; streamName: string } | undefined {
  const a = parseArn(arn);
  if (!a || a.service !== 'kinesis' || !a.resource.startsWith('stream/')) return undefined;
  const streamName = a.resource.slice('stream/'.length);
  return streamName ? { region: a.region, accountId: a.accountId, streamName } : undefined;
}

/**
 * The role ARN reported as `invokeIdentityArn`. sluice has no execution roles: it reports a fixed
 * role in the function's account, `arn:aws:iam::<account>:role/sluice`.
 */
export function invokeIdentityArn(spec: MappingSpec, fallbackAccount: string): string {
  const account = parseArn(spec.FunctionArn)?.accountId || fallbackAccount;
  return `arn:aws:iam::${account}:role/sluice`;
}

export function createKinesisSource(spec: MappingSpec, opts: KinesisSourceOptions = {}): Source {
  const arn = spec.EventSourceArn ?? '';
  const parsed = parseKinesisStreamArn(arn);
  const connect = (ctx: SourceContext) => {
    if (!parsed) {
      throw new SourceError(`not a Kinesis stream ARN: ${arn}`, { code: 'INVALID_SOURCE_ARN', retriable: false, context: { mappingUuid: spec.UUID } });
    }
    const region = parsed.region || ctx.aws.region;
    const client = new KinesisClient({ ...awsClientConfig(ctx.aws, 'kinesis'), region });
    return createKinesisApi({
      client,
      streamArn: arn,
      streamName: parsed.streamName,
      clock: ctx.clock,
      event: { awsRegion: region, eventSourceARN: arn, invokeIdentityArn: invokeIdentityArn(spec, ctx.aws.accountId) },
      ...(opts.getRecordsLimit ? { limit: opts.getRecordsLimit } : {}),
    });
  };
  return createShardedSource('kinesis', spec, connect, opts);
}
