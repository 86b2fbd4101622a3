import type { MappingSpec, SourceKind } from '../core/mapping.js';
import type { RecordId, ShardId } from '../core/ids.js';
import type { PipelineEventBus } from '../observability/events.js';
import type { Logger } from '../observability/logger.js';
import type { CheckpointStore } from '../state/store.js';
import type { Clock } from '../core/clock.js';

/**
 * One record polled from a source, ready for the pipeline. Built once by the source at poll time;
 * the pipeline never re-serializes it to measure it.
 */
export interface PolledRecord {
  /** Identity inside the shard; what the function reports in batchItemFailures[].itemIdentifier. */
  readonly id: RecordId;
  /**
   * Ordering key. Kinesis partition key; DynamoDB item key (canonical JSON of Keys); SQS FIFO
   * MessageGroupId (standard queues: the messageId, i.e. no ordering); Kafka: the partition (records
   * of one partition are always in order).
   */
  readonly partitionKey: string;
  /** Approximate arrival time, epoch ms: record age, tumbling windows, IteratorAge. */
  readonly arrivalMs: number;
  /** Exact UTF-8 byte length of JSON.stringify(event) for this record (see batching/payload-size). */
  readonly payloadBytes: number;
  /** The record exactly as it appears in the function's event (AWS shape, esm-semantics.md §6). */
  readonly event: unknown;
  /**
   * Source-specific data the source needs back when the record is settled (SQS receipt handle,
   * Kafka offset as bigint, an AMQP delivery tag). Opaque to the pipeline.
   */
  readonly ref?: unknown;
}

/**
 * How a batch of records becomes the function's event. `overheadBytes` is the byte length of the
 * event with an empty record list, so a batch's size is
 * `overheadBytes + sum(payloadBytes) + max(0, n - 1)` (the commas).
 */
export interface EventEnvelope {
  readonly overheadBytes: number;
  wrap(records: readonly PolledRecord[]): unknown;
}

/**
 * What the pipeline tells the source about finished records. The source implements this for each
 * shard it opens.
 */
export interface ShardCommitter {
  /**
   * Ordered sources (Kinesis, DynamoDB, Kafka): every record of the shard up to and including
   * `last` is finished (succeeded, filtered out, or handed to the OnFailure destination / dropped
   * per AWS rules). Called with a contiguous prefix only, in increasing order. The source persists
   * or commits the position (coalescing writes is the source's/store's business).
   * `extra.windowState` (tumbling windows, Kinesis/DynamoDB): the shard's window state as of
   * `last`, persisted with the position; null = no open window; omitted = keep the stored one.
   */
  checkpoint(last: PolledRecord, extra?: { windowState?: string | null }): Promise<void>;
  /** Queue sources (SQS, MQ): these records are finished — delete / ack them. */
  complete(records: readonly PolledRecord[]): Promise<void>;
  /** Queue sources: these records failed — leave/release them for redelivery (never re-send). */
  release(records: readonly PolledRecord[]): Promise<void>;
}

/** The pipeline's handle on one shard, given to the source by `SourceContext.openShard`. */
export interface ShardSink {
  readonly shardId: ShardId;
  /**
   * Hands records of this shard, in order. Resolves once they are accepted; waits while the
   * shard holds its limit of polled-but-unfinished data (backpressure: a source that is ahead
   * waits). Rejects with AbortedError when `signal` aborts or the shard is closed. The sink keeps
   * the array itself (no copy): the caller must not change it afterwards.
   */
  push(records: readonly PolledRecord[], signal?: AbortSignal): Promise<void>;
  /** Records accepted and not yet finished. */
  readonly pending: number;
  /**
   * Queue sources (SQS scaling): how many batches of this shard may be in flight at once. Ordered
   * sources leave it at ParallelizationFactor. Ordering per partitionKey still holds.
   */
  setMaxInFlight(n: number): void;
  /** Resolves when every accepted record is finished (checkpointed/completed/released). */
  drained(signal?: AbortSignal): Promise<void>;
  /**
   * Ends the shard. `drain`: finish in-flight and buffered records first (with the deadline),
   * `abandon`: stop invoking; in-flight invokes finish but buffered records are released
   * uncheckpointed (redelivered later). A closed shard's window gets its final invoke on `drain`
   * when `shardEnded` is set (resharding).
   */
  close(how: { mode: 'drain' | 'abandon'; shardEnded?: boolean; signal?: AbortSignal }): Promise<void>;
}

/** Everything a source gets from the engine. Collaborators are passed in. */
export interface SourceContext {
  readonly mapping: MappingSpec;
  readonly signal: AbortSignal;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly events: PipelineEventBus;
  readonly checkpoints: CheckpointStore;
  /** Endpoints/region from the config file's `aws:` section. */
  readonly aws: AwsSettings;
  /** Opens the pipeline for one shard. */
  openShard(shardId: ShardId, committer: ShardCommitter, envelope: EventEnvelope): ShardSink;
  /** LastProcessingResult: null = OK / records flowing, a string = `PROBLEM: <string>`. */
  reportProblem(problem: string | null): void;
}

export interface AwsSettings {
  readonly region: string;
  readonly accountId: string;
  readonly endpoints: Readonly<Partial<Record<'sqs' | 'kinesis' | 'dynamodbstreams' | 'sns' | 's3' | 'lambda', string>>>;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  /** Kafka bootstrap lists for MSK cluster ARNs (MSK-style mappings). */
  readonly kafkaClusters?: Readonly<Record<string, readonly string[]>>;
}

/** A running poller for one mapping. */
export interface Source {
  readonly kind: SourceKind;
  /** Starts polling; resolves once polling has begun (or rejects with a SourceError). */
  start(ctx: SourceContext): Promise<void>;
  /**
   * Stops polling, closes its shards (drain with the deadline, then abandon) and releases clients.
   * Idempotent: a second call returns the same promise.
   */
  stop(opts?: { deadlineMs?: number }): Promise<void>;
}

export type SourceFactory = (mapping: MappingSpec) => Source;
