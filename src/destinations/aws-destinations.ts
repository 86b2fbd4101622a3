/**
 * OnFailure destinations on AWS services: SQS (SendMessage; the queue URL from GetQueueUrl, cached),
 * SNS (Publish) and S3 (PutObject, key `aws/lambda/<mapping UUID>/<shardId>/YYYY/MM/DD/<timestamp>-<uuid>`,
 * body = the record plus `payload`). Clients use the `aws:` settings (endpoints for local servers).
 */
import { randomUUID } from 'node:crypto';
import { SQSClient, GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { AbortedError, DestinationError } from '../core/errors.js';
import { awsClientConfig, parseArn } from '../sources/aws-clients.js';
import type { AwsSettings } from '../sources/source.js';
import { onceClose, withPayload, type Destination, type FailureDelivery } from './destination.js';

function fail(target: string, what: string, cause: unknown, signal: AbortSignal, d?: FailureDelivery): never {
  if (signal.aborted) throw new AbortedError('delivery aborted', { destination: target });
  const msg = cause instanceof Error ? cause.message : String(cause);
  throw new DestinationError(`OnFailure destination ${target}: ${what} failed: ${msg}`, {
    cause,
    context: { destination: target, ...(d ? { mappingUuid: d.mappingUuid, shardId: d.shardId } : {}) },
  });
}

function regionOf(arn: { region: string }, aws: AwsSettings): AwsSettings {
  return arn.region && arn.region !== aws.region ? { ...aws, region: arn.region } : aws;
}

export function createSqsDestination(target: string, aws: AwsSettings): Destination {
  const arn = parseArn(target);
  if (!arn || arn.service !== 'sqs' || !arn.resource) throw new DestinationError(`not an SQS queue ARN: ${target}`, { code: 'DESTINATION_INVALID', retriable: false });
  const client = new SQSClient(awsClientConfig(regionOf(arn, aws), 'sqs', { maxSockets: 4 }));
  let queueUrl: string | undefined;
  const resolveUrl = async (signal: AbortSignal): Promise<string> => {
    if (queueUrl) return queueUrl;
    const out = await client.send(
      new GetQueueUrlCommand({ QueueName: arn.resource, ...(arn.accountId && arn.accountId !== aws.accountId ? { QueueOwnerAWSAccountId: arn.accountId } : {}) }),
      { abortSignal: signal },
    );
    if (!out.QueueUrl) throw new Error('GetQueueUrl returned no QueueUrl');
    queueUrl = out.QueueUrl;
    return queueUrl;
  };
  return {
    target,
    async deliver(d, signal) {
      try {
        const url = await resolveUrl(signal);
        await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(d.record) }), { abortSignal: signal });
      } catch (e) {
        fail(target, 'SendMessage', e, signal, d);
      }
    },
    close: onceClose(async () => client.destroy()),
  };
}

export function createSnsDestination(target: string, aws: AwsSettings): Destination {
  const arn = parseArn(target);
  if (!arn || arn.service !== 'sns' || !arn.resource) throw new DestinationError(`not an SNS topic ARN: ${target}`, { code: 'DESTINATION_INVALID', retriable: false });
  const client = new SNSClient(awsClientConfig(regionOf(arn, aws), 'sns', { maxSockets: 4 }));
  return {
    target,
    async deliver(d, signal) {
      try {
        await client.send(new PublishCommand({ TopicArn: target, Message: JSON.stringify(d.record) }), { abortSignal: signal });
      } catch (e) {
        fail(target, 'Publish', e, signal, d);
      }
    },
    close: onceClose(async () => client.destroy()),
  };
}

/** `aws/lambda/<mapping UUID>/<shardId>/YYYY/MM/DD/<timestamp>-<uuid>` from the record's timestamp. */
export function s3ObjectKey(d: FailureDelivery, uuid: string = randomUUID()): string {
  const ts = d.record.timestamp;
  const [y, m, day] = ts.slice(0, 10).split('-');
  return `aws/lambda/${d.mappingUuid}/${d.shardId}/${y}/${m}/${day}/${ts}-${uuid}`;
}

export function createS3Destination(target: string, aws: AwsSettings): Destination {
  const arn = parseArn(target);
  if (!arn || arn.service !== 's3' || !arn.resource || arn.resource.includes('/'))
    throw new DestinationError(`not an S3 bucket ARN: ${target}`, { code: 'DESTINATION_INVALID', retriable: false });
  const bucket = arn.resource;
  const client = new S3Client({ ...awsClientConfig(aws, 's3', { maxSockets: 4 }), forcePathStyle: true });
  return {
    target,
    async deliver(d, signal) {
      try {
        await client.send(
          new PutObjectCommand({ Bucket: bucket, Key: s3ObjectKey(d), Body: JSON.stringify(withPayload(d)), ContentType: 'application/json' }),
          { abortSignal: signal },
        );
      } catch (e) {
        fail(target, 'PutObject', e, signal, d);
      }
    },
    close: onceClose(async () => client.destroy()),
  };
}
