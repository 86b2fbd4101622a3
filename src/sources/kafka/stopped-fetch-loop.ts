/** The kafkajs stop()-during-rebalance workaround used by kafka-source.ts. */
import { logLevel as KafkaLogLevel } from 'kafkajs';

/**
 * kafkajs 2.2.4 bug worked around here. When the broker set changes (a broker connection closed,
 * metadata refreshed) its FetchManager stops its fetchers and creates new ones; if
 * `consumer.stop()` lands while it waits for the old fetchers to end, the new fetchers run after
 * the Runner stopped, and `Runner.fetch` then returns `[]` without any I/O or timer, so the
 * fetcher loop spins on microtasks forever: the event loop is blocked and stop() never returns.
 * Each turn of that loop logs `consumer not running, exiting` at DEBUG in namespace `Runner`,
 * the only call out of it sluice can reach: once stop() has enabled DEBUG, the log function
 * throws there, the fetcher ends with that error and the Runner finishes its stop normally.
 * (If KAFKAJS_LOG_LEVEL is set in the environment it pins the Runner's level and disables this.)
 */
export function isStoppedRunnerFetch(namespace: string, level: number, message: string): boolean {
  return namespace === 'Runner' && level === KafkaLogLevel.DEBUG && message === 'consumer not running, exiting';
}

/** Thrown into kafkajs's stopped fetch loop to end it (see isStoppedRunnerFetch). */
export class StoppedFetchLoopBreak extends Error {
  override readonly name = 'SluiceStoppedFetchLoopBreak';
  constructor() {
    super('sluice: Kafka consumer stopping; ending the fetch loop');
  }
}
