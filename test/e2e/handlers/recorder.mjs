// End-to-end test handlers. They run in sluice's worker threads, so they report what they saw by
// appending JSON lines to the file named by the function's environment variable E2E_OUT (one
// appendFileSync per invoke: a single write, so lines from concurrent workers do not interleave).
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const out = () => {
  const f = process.env.E2E_OUT;
  if (!f) throw new Error('E2E_OUT is not set');
  return f;
};

/** True the first time it is called for `key` in E2E_DIR (a marker file shared by every worker). */
function firstTime(key) {
  try {
    writeFileSync(join(process.env.E2E_DIR ?? '/tmp', `once-${key}`), '', { flag: 'wx' });
    return true;
  } catch {
    return false;
  }
}

/**
 * SQS. Each message body is JSON: `{"id": ..., "failOnce": true}` is reported in
 * batchItemFailures the first time it is seen; `{"throw": true}` makes the whole invoke throw.
 * Line: {t, records: <the event's Records, verbatim>, failed: [messageId], threw}.
 */
export const sqs = async (event) => {
  const failed = [];
  /** FIFO: after a failure in a message group, the group's later messages are reported too (AWS's advice). */
  const failedGroups = new Set();
  let threw = false;
  for (const r of event.Records) {
    let body = {};
    try {
      body = JSON.parse(r.body);
    } catch {}
    if (body.throw) threw = true;
    const group = r.attributes?.MessageGroupId;
    if (group !== undefined && failedGroups.has(group)) failed.push(r.messageId);
    else if (body.failOnce && firstTime(r.messageId)) {
      failed.push(r.messageId);
      if (group !== undefined) failedGroups.add(group);
    }
  }
  appendFileSync(out(), JSON.stringify({ t: Date.now(), records: event.Records, failed, threw }) + '\n');
  if (threw) throw new Error('poison message in this batch');
  return { batchItemFailures: failed.map((id) => ({ itemIdentifier: id })) };
};

/**
 * Self-managed Kafka. A record whose value contains "poison" makes the invoke throw.
 * Line: {t, threw, records: [{tp, topic, partition, offset, value}]}.
 */
export const kafka = async (event) => {
  const records = [];
  for (const [tp, list] of Object.entries(event.records)) {
    for (const r of list) {
      records.push({ tp, topic: r.topic, partition: r.partition, offset: r.offset, value: r.value === null ? null : Buffer.from(r.value, 'base64').toString() });
    }
  }
  const threw = records.some((r) => r.value !== null && r.value.includes('poison'));
  appendFileSync(out(), JSON.stringify({ t: Date.now(), threw, eventSource: event.eventSource, bootstrapServers: event.bootstrapServers, records }) + '\n');
  if (threw) throw new Error('poison record in this batch');
  return undefined;
};

/**
 * Kinesis. Data is JSON {id, key, n[, poison]}. A poison record makes the invoke throw.
 * Line: {t, threw, first: <the event's first record, verbatim>, records: [{id, key, n, seq, shard}]}.
 * E2E_DELAY_MS: time each invoke takes (so a run lasts long enough to write checkpoints).
 */
export const kinesis = async (event) => {
  const delayMs = Number(process.env.E2E_DELAY_MS ?? 0);
  if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
  let threw = false;
  const records = event.Records.map((r) => {
    const d = JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString());
    if (d.poison) threw = true;
    return { id: d.id, key: r.kinesis.partitionKey, n: d.n, seq: r.kinesis.sequenceNumber, shard: r.eventID.slice(0, r.eventID.indexOf(':')) };
  });
  appendFileSync(out(), JSON.stringify({ t: Date.now(), threw, first: event.Records[0], records }) + '\n');
  if (threw) throw new Error('poison record in this batch');
  return { batchItemFailures: [] };
};

/** DynamoDB Streams. Line: {t, records: <the event's Records, verbatim>}. */
export const dynamodb = async (event) => {
  appendFileSync(out(), JSON.stringify({ t: Date.now(), records: event.Records }) + '\n');
  return { batchItemFailures: [] };
};
