/**
 * Builds the OnFailure destination for a target string:
 * `arn:aws:sqs:…` (SendMessage), `arn:aws:sns:…` (Publish), `arn:aws:s3:::bucket` (PutObject),
 * `kafka://topic` (produce to the mapping's brokers), `file:///abs/path.jsonl` (append + fsync),
 * `http(s)://…` (webhook POST). Anything else throws DestinationError code DESTINATION_INVALID
 * (not retriable).
 */
import { DestinationError } from '../core/errors.js';
import type { Logger } from '../observability/logger.js';
import type { AwsSettings } from '../sources/source.js';
import { createS3Destination, createSnsDestination, createSqsDestination } from './aws-destinations.js';
import type { Destination } from './destination.js';
import { createKafkaDestination } from './kafka-destination.js';
import { createFileDestination, createWebhookDestination } from './local-destinations.js';

export interface DestinationDeps {
  readonly aws: AwsSettings;
  /** The mapping's Kafka bootstrap servers (kafka:// destinations). */
  readonly kafkaBrokers?: readonly string[];
  readonly logger: Logger;
}

export function createDestination(target: string, deps: DestinationDeps): Destination {
  if (target.startsWith('arn:')) {
    const service = target.split(':')[2];
    if (service === 'sqs') return createSqsDestination(target, deps.aws);
    if (service === 'sns') return createSnsDestination(target, deps.aws);
    if (service === 's3') return createS3Destination(target, deps.aws);
  } else if (target.startsWith('kafka://')) {
    return createKafkaDestination(target, deps.kafkaBrokers, deps.logger);
  } else if (target.startsWith('file://')) {
    return createFileDestination(target);
  } else if (target.startsWith('http://') || target.startsWith('https://')) {
    return createWebhookDestination(target);
  }
  throw new DestinationError(`unsupported OnFailure destination: ${target}`, { code: 'DESTINATION_INVALID', retriable: false });
}
