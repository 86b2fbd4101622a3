/**
 * The DynamoDB Streams source: `createDynamoDbStreamsSource(spec)` polls every shard of the
 * stream named by `spec.EventSourceArn` with the shared shard logic (lineage, checkpoints,
 * pacing). StartingPosition TRIM_HORIZON or LATEST; AT_TIMESTAMP does not exist for DynamoDB.
 */
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SourceError } from '../../core/errors.js';
import type { MappingSpec } from '../../core/mapping.js';
import { awsClientConfig, parseArn } from '../aws-clients.js';
import type { Source, SourceContext } from '../source.js';
import { createShardedSource, type ShardedSourceOptions } from '../shards/sharded-source.js';
import { createDynamoDbApi } from './dynamodb-api.js';

export interface DynamoDbStreamsSourceOptions extends ShardedSourceOptions {
  /** GetRecords Limit per call. Default 1000 (the DynamoDB Streams maximum). */
  readonly getRecordsLimit?: number;
}

/** `arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>` → its parts. */
export function parseDynamoDbStreamArn(arn: string): { region: string; accountId: string; table: string } | undefined {
  const a = parseArn(arn);
  const m = a && a.service === 'dynamodb' ? /^table\/([^/]+)\/stream\/.+$/.exec(a.resource) : null;
  return a && m ? { region: a.region, accountId: a.accountId, table: m[1]! } : undefined;
}

export function createDynamoDbStreamsSource(spec: MappingSpec, opts: DynamoDbStreamsSourceOptions = {}): Source {
  const arn = spec.EventSourceArn ?? '';
  const parsed = parseDynamoDbStreamArn(arn);
  const connect = (ctx: SourceContext) => {
    if (!parsed) {
      throw new SourceError(`not a DynamoDB stream ARN: ${arn}`, { code: 'INVALID_SOURCE_ARN', retriable: false, context: { mappingUuid: spec.UUID } });
    }
    if (spec.StartingPosition === 'AT_TIMESTAMP') {
      throw new SourceError('StartingPosition AT_TIMESTAMP is not supported for DynamoDB Streams', {
        code: 'INVALID_STARTING_POSITION',
        retriable: false,
        context: { mappingUuid: spec.UUID },
      });
    }
    // The client's region must be a real one for signing; the ARN's region (e.g. Dynoxide's
    // "dynoxide") is only what records report.
    const client = new DynamoDBStreamsClient(awsClientConfig(ctx.aws, 'dynamodbstreams'));
    return createDynamoDbApi({ client, streamArn: arn, awsRegion: parsed.region || ctx.aws.region, clock: ctx.clock, ...(opts.getRecordsLimit ? { limit: opts.getRecordsLimit } : {}) });
  };
  return createShardedSource('dynamodb', spec, connect, opts);
}
