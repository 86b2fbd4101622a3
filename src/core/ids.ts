/**
 * Branded identifier types: a mapping UUID, a shard id and a record id are all strings on the
 * wire, but they must never be swapped inside sluice.
 */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** An event source mapping's UUID (AWS: `UUID`). */
export type MappingUuid = Brand<string, 'MappingUuid'>;
/** A unit of ordering: Kinesis/DynamoDB shard id, `topic-partition` for Kafka, the queue ARN for SQS/MQ. */
export type ShardId = Brand<string, 'ShardId'>;
/**
 * A record's identity inside its shard, as AWS reports it in `batchItemFailures[].itemIdentifier`:
 * Kinesis/DynamoDB sequence number, SQS messageId, Kafka offset (decimal string), MQ message id.
 */
export type RecordId = Brand<string, 'RecordId'>;

export const mappingUuid = (s: string): MappingUuid => s as MappingUuid;
export const shardId = (s: string): ShardId => s as ShardId;
export const recordId = (s: string): RecordId => s as RecordId;
