/**
 * `kafka://<topic>` OnFailure destination (AWS: Kafka event sources only): the on-failure record
 * with the discarded records (`payload`) is produced to the topic on the mapping's brokers, keyed
 * by the shard (`topic-partition`). acks = all; the producer connects on first use.
 */
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { AbortedError, DestinationError } from '../core/errors.js';
import type { Logger } from '../observability/logger.js';
import { onceClose, withPayload, type Destination } from './destination.js';

export function kafkaTopicOf(target: string): string {
  const m = /^kafka:\/\/([^.][a-zA-Z0-9\-_.]{0,248})$/.exec(target);
  if (!m?.[1]) throw new DestinationError(`not a kafka://topic destination: ${target}`, { code: 'DESTINATION_INVALID', retriable: false });
  return m[1];
}

export function createKafkaDestination(target: string, brokers: readonly string[] | undefined, logger: Logger): Destination {
  const topic = kafkaTopicOf(target);
  if (!brokers || brokers.length === 0) {
    throw new DestinationError(`${target}: the mapping has no Kafka bootstrap servers`, { code: 'DESTINATION_INVALID', retriable: false });
  }
  const kafka = new Kafka({
    clientId: 'sluice-onfailure',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2, initialRetryTime: 100 },
  });
  let producer: Producer | undefined;
  let connecting: Promise<Producer> | undefined;
  const connect = (): Promise<Producer> => {
    connecting ??= (async () => {
      const p = kafka.producer({ allowAutoTopicCreation: true });
      try {
        await p.connect();
      } catch (e) {
        connecting = undefined;
        throw e;
      }
      producer = p;
      return p;
    })();
    return connecting;
  };
  return {
    target,
    async deliver(d, signal) {
      const ctx = { destination: target, mappingUuid: d.mappingUuid, shardId: d.shardId };
      if (signal.aborted) throw new AbortedError('delivery aborted', ctx);
      try {
        const p = await connect();
        await p.send({ topic, acks: -1, messages: [{ key: d.shardId, value: JSON.stringify(withPayload(d)) }] });
      } catch (e) {
        if (signal.aborted) throw new AbortedError('delivery aborted', ctx);
        logger.debug('kafka on-failure delivery failed', { destination: target, error: e });
        throw new DestinationError(`OnFailure destination ${target}: produce failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e, context: ctx });
      }
    },
    close: onceClose(async () => {
      const p = producer ?? (await connecting?.catch(() => undefined));
      await p?.disconnect().catch(() => undefined);
    }),
  };
}
