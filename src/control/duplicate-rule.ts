import { ApiError } from '../core/errors.js';
import type { MappingSpec } from '../core/mapping.js';

/**
 * AWS allows one mapping per event source and function: a second SQS queue / stream mapping to the
 * same function, or a second Kafka mapping of the same cluster, topic and function, is a
 * ResourceConflictException (409) naming the existing mapping's UUID.
 */
export function checkDuplicate(spec: MappingSpec, existing: readonly MappingSpec[]): void {
  for (const m of existing) {
    if (m.UUID === spec.UUID || m.FunctionArn !== spec.FunctionArn || m.sourceKind !== spec.sourceKind) continue;
    switch (spec.sourceKind) {
      case 'sqs':
        if (m.EventSourceArn === spec.EventSourceArn) {
          throw conflict(`An event source mapping with SQS arn (" ${spec.EventSourceArn} ") and function (" ${spec.FunctionName} ") already exists. Please update or delete the existing mapping with UUID ${m.UUID}`);
        }
        break;
      case 'kinesis':
      case 'dynamodb':
        if (m.EventSourceArn === spec.EventSourceArn) {
          throw conflict(`The event source arn (" ${spec.EventSourceArn} ") and function (" ${spec.FunctionName} ") provided mapping already exists. Please update or delete the existing mapping with UUID ${m.UUID}`);
        }
        break;
      case 'kafka': {
        const a = spec.EventSourceArn ? [spec.EventSourceArn] : [...(spec.SelfManagedEventSource?.Endpoints.KAFKA_BOOTSTRAP_SERVERS ?? [])];
        const b = m.EventSourceArn ? [m.EventSourceArn] : [...(m.SelfManagedEventSource?.Endpoints.KAFKA_BOOTSTRAP_SERVERS ?? [])];
        const sameSource = a.some((x) => b.includes(x));
        const sameTopic = (spec.Topics ?? []).some((t) => (m.Topics ?? []).includes(t));
        if (sameSource && sameTopic) {
          throw conflict(`An event source mapping with event source ("${a.join(',')}"), function ("${spec.FunctionArn}"), topics ("${(spec.Topics ?? []).join(',')}") already exists. Please update or delete the existing mapping with UUID ${m.UUID}`);
        }
        break;
      }
      default:
        if (m.EventSourceArn === spec.EventSourceArn && (spec.Queues ?? []).some((q) => (m.Queues ?? []).includes(q))) {
          throw conflict(`The event source arn (" ${spec.EventSourceArn} ") and function (" ${spec.FunctionName} ") provided mapping already exists. Please update or delete the existing mapping with UUID ${m.UUID}`);
        }
    }
  }
}

const conflict = (message: string): ApiError => new ApiError('ResourceConflictException', 409, message);
