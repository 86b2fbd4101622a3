import type { SourceKind } from '../core/mapping.js';
import { parseArn } from '../sources/aws-clients.js';

/** AWS's model pattern for EventSourceArn. */
export const EVENT_SOURCE_ARN_PATTERN = 'arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)';
export const EVENT_SOURCE_ARN_RE = new RegExp(`^${EVENT_SOURCE_ARN_PATTERN}$`);

export interface ResolvedSource {
  readonly kind: SourceKind;
  /** SQS FIFO queue (name ends in `.fifo`). */
  readonly fifo: boolean;
  /** Amazon MSK cluster ARN (managed Kafka) rather than SelfManagedEventSource. */
  readonly managedKafka: boolean;
}

/**
 * The source kind named by an EventSourceArn: `arn:aws:sqs:…:queue`, `arn:aws:kinesis:…:stream/<name>`,
 * `arn:aws:dynamodb:…:table/<t>/stream/<label>`, `arn:aws:kafka:…:cluster/…` (MSK) or
 * `arn:aws:mq:…:broker:<name>:<id>`. Amazon MQ brokers are RabbitMQ when `mqKind` says so, or when the
 * mapping names a VIRTUAL_HOST (only RabbitMQ has virtual hosts), or the broker's name contains
 * "rabbit"; otherwise ActiveMQ. Undefined when the ARN names nothing sluice can poll.
 */
export function sourceFromArn(
  arn: string,
  hints: { hasVirtualHost: boolean; mqKind?: (arn: string) => 'rabbitmq' | 'activemq' | undefined },
): ResolvedSource | undefined {
  const p = parseArn(arn);
  if (!p) return undefined;
  switch (p.service) {
    case 'sqs':
      return p.resource.length > 0 && !p.resource.includes('/') ? { kind: 'sqs', fifo: p.resource.endsWith('.fifo'), managedKafka: false } : undefined;
    case 'kinesis':
      return /^stream\/[^/]+$/.test(p.resource) ? { kind: 'kinesis', fifo: false, managedKafka: false } : undefined;
    case 'dynamodb':
      return /^table\/[^/]+\/stream\/.+$/.test(p.resource) ? { kind: 'dynamodb', fifo: false, managedKafka: false } : undefined;
    case 'kafka':
      return p.resource.startsWith('cluster/') ? { kind: 'kafka', fifo: false, managedKafka: true } : undefined;
    case 'mq': {
      if (!p.resource.startsWith('broker:')) return undefined;
      const explicit = hints.mqKind?.(arn);
      const rabbit = explicit ? explicit === 'rabbitmq' : hints.hasVirtualHost || /rabbit/i.test(p.resource);
      return { kind: rabbit ? 'rabbitmq' : 'activemq', fifo: false, managedKafka: false };
    }
    default:
      return undefined;
  }
}

/** How AWS names a source kind in messages. */
export const KIND_LABEL: Record<SourceKind, string> = {
  sqs: 'SQS',
  kinesis: 'Kinesis',
  dynamodb: 'DynamoDB',
  kafka: 'Kafka',
  rabbitmq: 'MQ',
  activemq: 'MQ',
};
