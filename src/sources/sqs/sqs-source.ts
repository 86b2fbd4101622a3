/**
 * The SQS source: long-polls one queue (standard or FIFO) with several receive loops and hands
 * the messages to the pipeline as one shard (shard id = the queue ARN).
 *
 * - complete → DeleteMessageBatch (chunks of 10, Failed[] retried once when not a sender fault);
 * - release → the message is left alone and reappears after its visibility timeout (as on AWS;
 *   the queue's own RedrivePolicy moves it to a DLQ after maxReceiveCount receives);
 * - messages held unsettled longer than half the VisibilityTimeout are extended (visibility.ts);
 * - concurrency (receive loops and batches in flight) scales per scaler.ts.
 * FIFO queues use one receive loop and push in receive order (the pipeline never runs two
 * batches with the same partitionKey at once). Servers that do not lock message groups
 * (local-aws-sqs) hand out later messages of a group while earlier ones are in flight or were
 * released after a failure; fifo-groups.ts holds or defers those so a failed message is never
 * overtaken. On real SQS that path never triggers (the server locks the group).
 */
import { setMaxListeners } from 'node:events';
import { GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { MappingSpec } from '../../core/mapping.js';
import { shardId } from '../../core/ids.js';
import { SourceError } from '../../core/errors.js';
import { delay } from '../../core/clock.js';
import { awsClientConfig, parseArn } from '../aws-clients.js';
import type { PolledRecord, ShardCommitter, ShardSink, Source, SourceContext } from '../source.js';
import { receiptHandleOf, sqsEnvelope, sqsPolledRecord } from './event.js';
import { changeVisibility, deleteMessages } from './batch-calls.js';
import { VisibilityKeeper } from './visibility.js';
import { SqsScaler } from './scaler.js';
import { FifoGroups, type GroupDecision } from './fifo-groups.js';
import { deferMessages } from './defer.js';

export interface SqsSourceOptions {
  /**
   * ReceiveMessage WaitTimeSeconds. Default 20 (the maximum long poll, what Lambda's pollers
   * use). Tests against local-aws-sqs use 1: that emulator holds a poll open until 10 messages are
   * ready.
   */
  readonly waitTimeSeconds?: number;
  /** Starting concurrency. Default 5 (AWS). */
  readonly initialConcurrency?: number;
  /** Minimum ms between two concurrency increases. Default 200 (scaler.ts). */
  readonly growIntervalMs?: number;
  /** Upper bound when ScalingConfig.MaximumConcurrency is unset. Default 1000 (AWS's ceiling). */
  readonly defaultMaxConcurrency?: number;
  /** Backoff after a failed receive: doubles from `min` to `max` ms. Default 100..5000. */
  readonly errorBackoffMs?: { readonly min: number; readonly max: number };
  /** Drain deadline for stop() when the caller gives none. Default 30 000 ms. */
  readonly stopDeadlineMs?: number;
}

const RECEIVE_BATCH = 10;

export function createSqsSource(spec: MappingSpec, opts: SqsSourceOptions = {}): Source {
  const waitTimeSeconds = opts.waitTimeSeconds ?? 20;
  const backoff = opts.errorBackoffMs ?? { min: 100, max: 5000 };
  const cap = spec.ScalingConfig?.MaximumConcurrency ?? opts.defaultMaxConcurrency ?? 1000;
  const scaler = new SqsScaler({
    max: cap,
    initial: opts.initialConcurrency ?? 5,
    ...(opts.growIntervalMs !== undefined ? { growIntervalMs: opts.growIntervalMs } : {}),
  });
  const stopAc = new AbortController();
  // Every receive loop and delete/visibility call listens on this one signal: up to `cap` loops.
  setMaxListeners(cap + 16, stopAc.signal);
  const loops = new Map<number, Promise<void>>();
  let started = false;
  let stopping: Promise<void> | undefined;
  let ctx: SourceContext | undefined;
  let client: SQSClient | undefined;
  let sink: ShardSink | undefined;
  let keeper: VisibilityKeeper | undefined;
  let unsubscribe: (() => void) | undefined;

  const start = async (c: SourceContext): Promise<void> => {
    if (started) throw new SourceError('SQS source already started', { retriable: false, context: { mappingUuid: spec.UUID } });
    started = true;
    ctx = c;
    const arn = spec.EventSourceArn ?? '';
    const parsed = parseArn(arn);
    const errCtx = { mappingUuid: spec.UUID, source: arn };
    if (!parsed || parsed.service !== 'sqs' || !parsed.resource) {
      throw new SourceError(`not an SQS queue ARN: ${arn}`, { code: 'SQS_BAD_ARN', retriable: false, context: errCtx });
    }
    const region = parsed.region || c.aws.region;
    const fifo = spec.fifo || parsed.resource.endsWith('.fifo');
    const sqs = new SQSClient({
      ...awsClientConfig({ ...c.aws, region }, 'sqs', {
        maxSockets: Math.min(cap, 1000) + 10,
        requestTimeoutMs: (waitTimeSeconds + 10) * 1000,
      }),
    });
    client = sqs;
    let queueUrl: string;
    let visibilityTimeoutSec: number;
    try {
      const url = await sqs.send(
        new GetQueueUrlCommand({
          QueueName: parsed.resource,
          ...(parsed.accountId ? { QueueOwnerAWSAccountId: parsed.accountId } : {}),
        }),
        { abortSignal: c.signal },
      );
      if (!url.QueueUrl) throw new Error('GetQueueUrl returned no QueueUrl');
      queueUrl = url.QueueUrl;
      const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout'] }), {
        abortSignal: c.signal,
      });
      visibilityTimeoutSec = Number(attrs.Attributes?.VisibilityTimeout ?? 30);
    } catch (err) {
      sqs.destroy();
      const e = err as { name?: string; message?: string };
      c.reportProblem(`Unable to access queue ${arn}: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`);
      throw new SourceError(`cannot open SQS queue ${arn}: ${e.message ?? String(err)}`, {
        code: 'SQS_QUEUE_UNAVAILABLE',
        retriable: e.name !== 'QueueDoesNotExist',
        context: errCtx,
        cause: err,
      });
    }

    const logger = c.logger.child({ mappingUuid: spec.UUID, shardId: arn });
    const vis = new VisibilityKeeper({
      clock: c.clock,
      visibilityTimeoutSec,
      extend: async (handles, seconds) => {
        const failed = await changeVisibility(sqs, queueUrl, handles, (h) => h, seconds);
        if (failed.length > 0) {
          logger.warn('could not extend the visibility of held messages; they will be redelivered', {
            count: failed.length,
            codes: [...new Set(failed.map((f) => f.code))],
          });
        }
        return failed.map((f) => f.item);
      },
      onError: (err) => logger.warn('visibility extension failed', { err }),
    });
    keeper = vis;

    const groups = fifo
      ? new FifoGroups<PolledRecord>({
          clock: c.clock,
          groupOf: (r) => r.partitionKey,
          idOf: (r) => r.id,
          // A released message is received again within one poll after its timeout ends.
          graceMs: (waitTimeSeconds + 1) * 1000,
        })
      : undefined;
    /** When a released message becomes visible again: its visibility period start + the timeout. */
    const visibleAgainAt = (r: PolledRecord): number =>
      (vis.since(receiptHandleOf(r)) ?? c.clock.now()) + visibilityTimeoutSec * 1000;

    const committer: ShardCommitter = {
      checkpoint: async () => {
        throw new SourceError('SQS shards are settled with complete/release, not checkpoint', { retriable: false, context: errCtx });
      },
      complete: async (records) => {
        const deadlines = groups ? new Map(records.map((r) => [r.id, visibleAgainAt(r)])) : undefined;
        vis.untrack(records.map(receiptHandleOf));
        const failed = await deleteMessages(sqs, queueUrl, records, receiptHandleOf);
        if (groups && deadlines) {
          // FIFO: a message that could not be deleted will be redelivered; its group waits for it.
          const notDeleted = new Set(failed.map((f) => f.item));
          const deadlineOf = (r: PolledRecord): number => deadlines.get(r.id) ?? c.clock.now();
          onSettled(groups.settled(records.filter((r) => !notDeleted.has(r)), 'complete', deadlineOf));
          if (notDeleted.size > 0) onSettled(groups.settled([...notDeleted], 'release', deadlineOf));
        }
        if (failed.length > 0) {
          const ids = failed.map((f) => f.item.id);
          logger.warn('messages not deleted; they will be redelivered', { messageIds: ids, codes: [...new Set(failed.map((f) => f.code))] });
          throw new SourceError(`${failed.length} of ${records.length} messages could not be deleted`, {
            code: 'SQS_DELETE_FAILED',
            context: { ...errCtx, messageIds: ids },
          });
        }
      },
      release: async (records) => {
        // As on AWS: the message stays invisible until its visibility timeout, then is redelivered.
        // FIFO: its group is blocked until then (fifo-groups.ts), so nothing later overtakes it.
        const decision = groups?.settled(records, 'release', visibleAgainAt);
        vis.untrack(records.map(receiptHandleOf));
        if (decision) onSettled(decision);
      },
    };
    const shard = c.openShard(shardId(arn), committer, sqsEnvelope);
    sink = shard;

    // One chain for every push, so pushes from the receive loop and from settlement (held FIFO
    // messages released to the pipeline) reach the shard in the order they were decided.
    let pushChain: Promise<unknown> = Promise.resolve();
    const push = (records: PolledRecord[]): Promise<void> => {
      const p = pushChain.then(() => shard.push(records, stopAc.signal));
      pushChain = p.catch(() => undefined);
      return p;
    };
    /** Pushes decided outside the receive loop (not awaited: settlement must not wait on capacity). */
    const pushLater = (records: PolledRecord[]): void => {
      if (records.length === 0) return;
      push(records).catch((err: unknown) => {
        vis.untrack(records.map(receiptHandleOf));
        groups?.forget(records);
        if (!stopAc.signal.aborted) logger.warn('push failed; messages left for redelivery', { err, count: records.length });
      });
    };
    /** FIFO messages over the hold cap go back to the queue (never pushed; see defer.ts). */
    const defer = (items: GroupDecision<PolledRecord>['defer']): Promise<void> => {
      vis.untrack(items.map((d) => receiptHandleOf(d.record)));
      return deferMessages({ sqs, queueUrl, clock: c.clock, logger }, items);
    };
    const onSettled = (d: GroupDecision<PolledRecord>): void => {
      pushLater(d.push);
      void defer(d.defer);
    };

    let problem = false;
    const receiveLoop = async (index: number): Promise<void> => {
      let failures = 0;
      while (!stopAc.signal.aborted && (fifo ? index === 0 : index < scaler.target)) {
        let records: PolledRecord[];
        try {
          const requestedAt = c.clock.now();
          const out = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: queueUrl,
              MaxNumberOfMessages: RECEIVE_BATCH,
              WaitTimeSeconds: waitTimeSeconds,
              MessageSystemAttributeNames: ['All'],
              // Servers that predate MessageSystemAttributeNames (and local-aws-sqs) need this too.
              AttributeNames: ['All'],
              MessageAttributeNames: ['All'],
            }),
            { abortSignal: stopAc.signal },
          );
          failures = 0;
          if (problem) {
            problem = false;
            c.reportProblem(null);
          }
          const msgs = out.Messages ?? [];
          if (scaler.onReceive(msgs.length, c.clock.now())) applyScale();
          const now = c.clock.now();
          records = msgs.map((m) => sqsPolledRecord(m, arn, region, fifo, now));
          if (records.length > 0) vis.track(records.map(receiptHandleOf), requestedAt);
          if (groups) {
            const d = groups.admit(records);
            await defer(d.defer);
            records = d.push;
          }
          if (records.length === 0) continue;
        } catch (err) {
          if (stopAc.signal.aborted) return;
          failures++;
          const e = err as { name?: string; message?: string };
          problem = true;
          c.reportProblem(`Unable to receive from queue ${arn}: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`);
          logger.warn('ReceiveMessage failed', { err, attempt: failures });
          try {
            await delay(Math.min(backoff.max, backoff.min * 2 ** (failures - 1)), stopAc.signal, c.clock);
          } catch {
            return;
          }
          continue;
        }
        try {
          await push(records);
        } catch (err) {
          // Not accepted (stopping / shard closed): the messages reappear after their timeout.
          vis.untrack(records.map(receiptHandleOf));
          groups?.forget(records);
          if (!stopAc.signal.aborted) logger.warn('push failed; messages left for redelivery', { err, count: records.length });
          return;
        }
      }
    };

    const spawn = (index: number): void => {
      const p = receiveLoop(index).finally(() => {
        if (loops.get(index) === p) loops.delete(index);
        // The target may have grown back while this loop was winding down.
        if (!stopAc.signal.aborted && !fifo && index < scaler.target && !loops.has(index)) spawn(index);
      });
      loops.set(index, p);
    };
    const applyScale = (): void => {
      shard.setMaxInFlight(scaler.target);
      if (stopAc.signal.aborted) return;
      const want = fifo ? 1 : scaler.target;
      for (let i = 0; i < want; i++) if (!loops.has(i)) spawn(i);
    };

    unsubscribe = c.events.on('invoked', (e) => {
      if (e.mapping === spec.UUID && !e.ok && scaler.onInvokeFailed(c.clock.now())) applyScale();
    });
    c.signal.addEventListener('abort', () => void stop(), { once: true });
    applyScale();
  };

  const stop = (o: { deadlineMs?: number } = {}): Promise<void> =>
    (stopping ??= (async () => {
      stopAc.abort();
      unsubscribe?.();
      await Promise.allSettled([...loops.values()]);
      if (sink) {
        const s = sink;
        try {
          await s.close({ mode: 'drain', signal: AbortSignal.timeout(o.deadlineMs ?? opts.stopDeadlineMs ?? 30_000) });
        } catch (err) {
          ctx?.logger.warn('SQS shard did not drain before the deadline; abandoning', { mappingUuid: spec.UUID, err });
          await s.close({ mode: 'abandon' }).catch(() => undefined);
        }
      }
      keeper?.close();
      client?.destroy();
    })());

  return { kind: 'sqs', start, stop };
}
