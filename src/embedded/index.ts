import type { Logger } from '../observability/logger.js';
import type { AwsSettings } from '../sources/source.js';
import type { EmbeddedConfig } from '../config/types.js';
import { DEMO_QUEUE, DEMO_STREAM } from '../config/types.js';
import { createDemoResources, startDemoProducer, type DemoProducer, type DemoResources } from './demo.js';
import { startEmbeddedServers, type EmbeddedServers } from './servers.js';

export interface EmbeddedAws {
  /** `aws` with the sqs and kinesis endpoints pointing at the embedded servers. */
  readonly aws: AwsSettings;
  readonly demo?: { readonly resources: DemoResources; readonly producer: DemoProducer };
  /** Stops the producer, then the servers. Idempotent. */
  close(): Promise<void>;
}

/**
 * Embedded mode: starts local SQS and Kinesis servers on loopback, creates the demo queue and
 * stream, and (when `demo.enabled`) starts the demo producer.
 */
export async function startEmbedded(cfg: EmbeddedConfig, aws: AwsSettings, logger: Logger, signal?: AbortSignal): Promise<EmbeddedAws> {
  const servers: EmbeddedServers = await startEmbeddedServers({
    sqsPort: cfg.sqs.port,
    kinesisPort: cfg.kinesis.port,
    region: aws.region,
    accountId: aws.accountId,
  });
  const local: AwsSettings = Object.freeze({ ...aws, endpoints: Object.freeze({ ...aws.endpoints, ...servers.endpoints }) });
  logger.info('embedded servers started', { sqs: servers.endpoints.sqs, kinesis: servers.endpoints.kinesis });
  let demo: EmbeddedAws['demo'];
  try {
    const resources = await createDemoResources(local, { queue: DEMO_QUEUE, stream: DEMO_STREAM }, signal);
    if (cfg.demo.enabled) {
      const producer = startDemoProducer({ aws: local, resources, recordsPerSecond: cfg.demo.recordsPerSecond, logger });
      demo = { resources, producer };
      logger.info('demo producer started', { queue: resources.queueArn, stream: resources.streamArn, recordsPerSecond: cfg.demo.recordsPerSecond });
    }
  } catch (e) {
    await servers.close();
    throw e;
  }
  let closing: Promise<void> | undefined;
  return {
    aws: local,
    ...(demo ? { demo } : {}),
    close() {
      closing ??= (async () => {
        try {
          await demo?.producer.stop();
        } finally {
          await servers.close();
        }
      })();
      return closing;
    },
  };
}
