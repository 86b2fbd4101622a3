/**
 * One OnFailure destination per mapping, created on demand from the mapping's
 * DestinationConfig.OnFailure.Destination, reused while the target is unchanged, closed when the
 * target changes or the registry closes. Plug `forMapping` into the engine's
 * `onFailureDestination` dependency.
 */
import type { MappingSpec } from '../core/mapping.js';
import type { Logger } from '../observability/logger.js';
import type { FailureHandler } from '../pipeline/failure-route.js';
import type { AwsSettings } from '../sources/source.js';
import { createDestination } from './create.js';
import type { Destination } from './destination.js';
import { createFailureHandler } from './failure-handler.js';

export interface DestinationRegistry {
  /** The mapping's handler, or undefined when it has no OnFailure destination (records are dropped). */
  forMapping(spec: MappingSpec): FailureHandler | undefined;
  /** Closes every destination. Idempotent. */
  close(): Promise<void>;
}

/** Kafka bootstrap servers of a mapping: self-managed endpoints, or the MSK cluster's from `aws.kafkaClusters`. */
export function kafkaBrokersOf(spec: MappingSpec, aws: AwsSettings): readonly string[] | undefined {
  return spec.SelfManagedEventSource?.Endpoints.KAFKA_BOOTSTRAP_SERVERS ?? (spec.EventSourceArn ? aws.kafkaClusters?.[spec.EventSourceArn] : undefined);
}

export function createDestinationRegistry(deps: { aws: AwsSettings; logger: Logger }): DestinationRegistry {
  const byMapping = new Map<string, { target: string; dest: Destination; handler: FailureHandler }>();
  let closing: Promise<void> | undefined;
  const closeQuietly = (dest: Destination): Promise<void> =>
    dest.close().catch((e: unknown) => deps.logger.warn('closing an OnFailure destination failed', { destination: dest.target, error: e }));
  return {
    forMapping(spec) {
      if (closing) return undefined;
      const target = spec.DestinationConfig?.OnFailure?.Destination;
      const have = byMapping.get(spec.UUID);
      if (have && have.target === target) return have.handler;
      if (have) {
        byMapping.delete(spec.UUID);
        void closeQuietly(have.dest);
      }
      if (!target) return undefined;
      const brokers = kafkaBrokersOf(spec, deps.aws);
      const dest = createDestination(target, { aws: deps.aws, logger: deps.logger.child({ mappingUuid: spec.UUID }), ...(brokers ? { kafkaBrokers: brokers } : {}) });
      const handler = createFailureHandler(dest, brokers ? { bootstrapServers: brokers } : {});
      byMapping.set(spec.UUID, { target, dest, handler });
      return handler;
    },
    close() {
      closing ??= (async () => {
        const all = [...byMapping.values()];
        byMapping.clear();
        await Promise.all(all.map((e) => closeQuietly(e.dest)));
      })();
      return closing;
    },
  };
}
