import type { MappingUuid, ShardId } from '../core/ids.js';

/**
 * Typed events the pipeline, sources and destinations emit once per batch (never per record).
 * Metrics, logs and the console progress line subscribe; emitting with no listener costs a
 * map lookup and no allocation beyond the payload.
 */
export interface PipelineEventMap {
  /** Records handed to the pipeline by a source. */
  polled: { mapping: MappingUuid; shard: ShardId; count: number; bytes: number };
  /** Records dropped by FilterCriteria (they still count as finished). */
  filtered: { mapping: MappingUuid; shard: ShardId; count: number };
  /** One invoke finished. */
  invoked: {
    mapping: MappingUuid;
    functionName: string;
    shard: ShardId;
    count: number;
    bytes: number;
    durationMs: number;
    ok: boolean;
    errorType?: string;
  };
  /** Records given up on without a destination (AWS DroppedEventCount). */
  dropped: { mapping: MappingUuid; shard: ShardId; count: number; reason: string };
  /** SQS messages deleted. */
  deleted: { mapping: MappingUuid; shard: ShardId; count: number };
  /** Records described to the OnFailure destination. */
  destinationDelivered: { mapping: MappingUuid; shard: ShardId; count: number; destination: string };
  /** Shard checkpoint advanced. */
  checkpointed: { mapping: MappingUuid; shard: ShardId; position: string };
  /** Streams: ms behind the newest record. */
  iteratorAge: { mapping: MappingUuid; shard: ShardId; ms: number };
  /** Kafka: messages behind the high watermark. */
  offsetLag: { mapping: MappingUuid; shard: ShardId; lag: number };
  /** In-flight batches changed for a mapping. */
  inflight: { mapping: MappingUuid; functionName: string; delta: 1 | -1 };
  /** LastProcessingResult changed. */
  processingResult: { mapping: MappingUuid; result: string };
}

export type PipelineEventName = keyof PipelineEventMap;
type Listener<K extends PipelineEventName> = (e: PipelineEventMap[K]) => void;

export class PipelineEventBus {
  readonly #listeners: { [K in PipelineEventName]?: Listener<K>[] } = {};

  on<K extends PipelineEventName>(name: K, fn: Listener<K>): () => void {
    const list = (this.#listeners[name] ??= []) as Listener<K>[];
    list.push(fn);
    return () => {
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** True when someone listens: build expensive payloads only then. */
  has(name: PipelineEventName): boolean {
    return (this.#listeners[name]?.length ?? 0) > 0;
  }

  emit<K extends PipelineEventName>(name: K, e: PipelineEventMap[K]): void {
    const list = this.#listeners[name] as Listener<K>[] | undefined;
    if (!list) return;
    for (const fn of list) {
      try {
        fn(e);
      } catch {
        // A broken listener must not break the pipeline; listeners log their own errors.
      }
    }
  }
}
