import type { MappingUuid } from '../core/ids.js';
import type { MappingSpec, MappingState } from '../core/mapping.js';

export interface MappingStatus {
  readonly state: MappingState;
  /** "User action" (streams, Kafka) / "USER_INITIATED" (SQS) or a system reason. */
  readonly stateTransitionReason: string;
  /** "No records processed", "OK", or "PROBLEM: ..." */
  readonly lastProcessingResult: string;
}

/**
 * Runs mappings: for each one a Source, its shard pipelines and the function runtime. The control
 * plane drives it; State reflects what the pollers are doing, not only what was asked.
 */
export interface Engine {
  /**
   * Starts a new mapping, updates a running one (new parameters take effect on the next batch,
   * position kept), or pauses/resumes it per `Enabled`. Resolves once the pollers reached the
   * target state; status() shows Creating/Updating/Enabling/Disabling meanwhile.
   */
  apply(spec: MappingSpec): Promise<void>;
  /** Stops the pollers (drain with deadline, then abandon), deletes the mapping's checkpoints. */
  remove(uuid: MappingUuid): Promise<void>;
  status(uuid: MappingUuid): MappingStatus | undefined;
  /** Called whenever a mapping's status changes. Returns an unsubscribe function. */
  onStatus(fn: (uuid: MappingUuid, status: MappingStatus) => void): () => void;
  /** Stops every mapping, draining with the deadline. Idempotent. */
  stop(deadlineMs?: number): Promise<void>;
}
