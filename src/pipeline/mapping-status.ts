/**
 * The observed status of one mapping: State, StateTransitionReason and LastProcessingResult, with
 * change notification (only when something actually changed).
 */
import type { MappingUuid } from '../core/ids.js';
import type { MappingState, SourceKind } from '../core/mapping.js';
import type { PipelineEventBus } from '../observability/events.js';
import type { MappingStatus } from './engine.js';

export const NO_RECORDS_PROCESSED = 'No records processed';
export const OK = 'OK';

/** AWS: "USER_INITIATED" for SQS (and the other queue sources), "User action" for streams and Kafka. */
export function userActionReason(kind: SourceKind): string {
  return kind === 'sqs' || kind === 'rabbitmq' || kind === 'activemq' ? 'USER_INITIATED' : 'User action';
}

export class StatusCell {
  #status: MappingStatus;
  #invoked = false;
  readonly #uuid: MappingUuid;
  readonly #notify: (uuid: MappingUuid, s: MappingStatus) => void;
  readonly #events: PipelineEventBus;

  constructor(uuid: MappingUuid, initial: MappingStatus, notify: (uuid: MappingUuid, s: MappingStatus) => void, events: PipelineEventBus) {
    this.#uuid = uuid;
    this.#status = Object.freeze({ ...initial });
    this.#notify = notify;
    this.#events = events;
    notify(uuid, this.#status);
  }

  get value(): MappingStatus {
    return this.#status;
  }

  setState(state: MappingState, reason?: string): void {
    this.#set({ ...this.#status, state, ...(reason !== undefined ? { stateTransitionReason: reason } : {}) });
  }

  /** null: records flow (OK, or "No records processed" before the first invoke). */
  setProblem(problem: string | null): void {
    const result = problem === null ? (this.#invoked ? OK : NO_RECORDS_PROCESSED) : `PROBLEM: ${problem}`;
    if (result === this.#status.lastProcessingResult) return;
    this.#set({ ...this.#status, lastProcessingResult: result });
    this.#events.emit('processingResult', { mapping: this.#uuid, result });
  }

  /** An invoke reached the function (whatever the function answered). */
  invoked(): void {
    this.#invoked = true;
    this.setProblem(null);
  }

  #set(s: MappingStatus): void {
    const cur = this.#status;
    if (cur.state === s.state && cur.stateTransitionReason === s.stateTransitionReason && cur.lastProcessingResult === s.lastProcessingResult) return;
    this.#status = Object.freeze(s);
    this.#notify(this.#uuid, this.#status);
  }
}
